"""Sign-in codes, sessions and the ID tokens already taken (migration 0008): each secret by
its SHA-256 only. Every read that lets someone in is one statement that checks and marks at
once, so two uses of one code cannot both succeed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from countersign_approval.domain.sign_in import SignInMethod

__all__ = ["OidcSignIns", "Sessions", "SignInCodes"]


class SignInCodes:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, code_sha256: str, organisation_id: UUID, user_id: UUID, client: str, ttl_s: int
    ) -> datetime:
        expires_at: datetime = await self._conn.fetchval(
            "INSERT INTO sign_in_codes (code_sha256, organisation_id, user_id, client, expires_at)"
            " VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING expires_at",
            code_sha256,
            organisation_id,
            user_id,
            client,
            float(ttl_s),
        )
        return expires_at

    async def issued_lately(self, user_id: UUID, within_s: int) -> int:
        """How many codes the user was sent in the last ``within_s`` seconds."""
        count: int = await self._conn.fetchval(
            "SELECT count(*) FROM sign_in_codes WHERE user_id = $1"
            " AND created_at > now() - make_interval(secs => $2)",
            user_id,
            float(within_s),
        )
        return count

    async def redeem(self, code_sha256: str, client: str) -> tuple[UUID, UUID] | None:
        """The organisation and user of an unused, unexpired code issued to ``client``, now
        used; None for any other code."""
        row = await self._conn.fetchrow(
            "UPDATE sign_in_codes SET used_at = now() WHERE code_sha256 = $1 AND client = $2"
            " AND used_at IS NULL AND expires_at > now() RETURNING organisation_id, user_id",
            code_sha256,
            client,
        )
        return None if row is None else (row["organisation_id"], row["user_id"])


class Sessions:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def open(
        self,
        session_sha256: str,
        session_id: UUID,
        organisation_id: UUID,
        user_id: UUID,
        method: SignInMethod,
        client: str,
        max_s: int,
    ) -> datetime:
        expires_at: datetime = await self._conn.fetchval(
            "INSERT INTO sessions (session_sha256, session_id, organisation_id, user_id, method,"
            " client, expires_at) VALUES ($1, $2, $3, $4, $5, $6,"
            " now() + make_interval(secs => $7)) RETURNING expires_at",
            session_sha256,
            session_id,
            organisation_id,
            user_id,
            method.value,
            client,
            float(max_s),
        )
        return expires_at

    async def use(
        self, session_sha256: str, client: str, idle_s: int
    ) -> tuple[UUID, UUID, UUID] | None:
        """Session, organisation and user of a live session of ``client`` (not revoked, not
        past its end, used within ``idle_s``, its user still a user), marked used now."""
        row = await self._conn.fetchrow(
            "UPDATE sessions s SET last_used_at = now() FROM users u"
            " WHERE s.session_sha256 = $1 AND s.client = $2 AND s.revoked_at IS NULL"
            " AND s.expires_at > now() AND s.last_used_at > now() - make_interval(secs => $3)"
            " AND u.user_id = s.user_id AND u.removed_at IS NULL"
            " RETURNING s.session_id, s.organisation_id, s.user_id",
            session_sha256,
            client,
            float(idle_s),
        )
        return None if row is None else (row["session_id"], row["organisation_id"], row["user_id"])

    async def live(self, session_id: UUID) -> bool:
        """Not signed out and not past its end (an access token minted from it is honoured
        until then; its own expiry bounds the idle time)."""
        found: bool = await self._conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE session_id = $1"
            " AND revoked_at IS NULL AND expires_at > now())",
            session_id,
        )
        return found

    async def revoke(self, session_sha256: str, client: str) -> UUID | None:
        session_id: UUID | None = await self._conn.fetchval(
            "UPDATE sessions SET revoked_at = now() WHERE session_sha256 = $1 AND client = $2"
            " AND revoked_at IS NULL RETURNING session_id",
            session_sha256,
            client,
        )
        return session_id


class OidcSignIns:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def first_use(self, id_token_sha256: str, expires_at: datetime) -> bool:
        """False when this ID token was taken before; expired ones are forgotten."""
        await self._conn.execute("DELETE FROM oidc_sign_ins WHERE expires_at < now()")
        status = await self._conn.execute(
            "INSERT INTO oidc_sign_ins (id_token_sha256, expires_at) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING",
            id_token_sha256,
            expires_at,
        )
        return bool(status.endswith(" 1"))
