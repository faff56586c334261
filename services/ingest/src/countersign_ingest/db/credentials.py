"""Organisations' Dext credentials — their secrets sealed at rest — and the signatures already
accepted. What verifies when is the domain's (``domain/credentials.py``); the caller's
transaction covers what changes here.
"""

from __future__ import annotations

import time
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_platform.sealing import Keyring

from countersign_ingest.db import Repository
from countersign_ingest.domain.credentials import LAST_USE_RESOLUTION, Credential
from countersign_ingest.domain.signatures import TOLERANCE_S

__all__ = ["DextSecrets", "remember_signature"]

_COLUMNS = "credential_id, role, created_at, created_by, last_used_at, valid_until"


def _context(organisation_id: UUID) -> str:
    return f"ingest:dext-secret:{organisation_id}"


def _credential(row: asyncpg.Record) -> Credential:
    return Credential(
        credential_id=row["credential_id"],
        role=row["role"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        last_used_at=row["last_used_at"],
        valid_until=row["valid_until"],
    )


class DextSecrets(Repository):
    def __init__(self, conn: asyncpg.Connection, keyring: Keyring) -> None:
        super().__init__(conn)
        self._keyring = keyring

    async def opened(self, organisation_id: UUID) -> list[tuple[Credential, bytes]]:
        """Every credential of the organisation with its secret: current first."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS}, sealed FROM dext_secrets WHERE organisation_id = $1 ORDER BY role",
            organisation_id,
        )
        context = _context(organisation_id)
        return [(_credential(r), self._keyring.open(r["sealed"], context)) for r in rows]

    async def credentials(self, organisation_id: UUID) -> list[Credential]:
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM dext_secrets WHERE organisation_id = $1 ORDER BY role",
            organisation_id,
        )
        return [_credential(row) for row in rows]

    async def lock(self, organisation_id: UUID) -> None:
        """Serialises changes to one organisation's credentials until the transaction ends
        (two first issues would otherwise both insert a current one)."""
        await self._conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", _context(organisation_id)
        )

    async def current_secret(self, organisation_id: UUID) -> bytes | None:
        sealed = await self._conn.fetchval(
            "SELECT sealed FROM dext_secrets WHERE organisation_id = $1 AND role = 'current'",
            organisation_id,
        )
        return None if sealed is None else self._keyring.open(sealed, _context(organisation_id))

    async def rotate_to(
        self,
        organisation_id: UUID,
        secret: bytes,
        created_by: UUID | None,
        previous_valid_until: datetime,
    ) -> Credential:
        """Makes ``secret`` current: the current one, if any, becomes previous until
        ``previous_valid_until``, replacing any previous one."""
        await self._conn.execute(
            "DELETE FROM dext_secrets WHERE organisation_id = $1 AND role = 'previous'",
            organisation_id,
        )
        await self._conn.execute(
            "UPDATE dext_secrets SET role = 'previous', valid_until = $2"
            " WHERE organisation_id = $1 AND role = 'current'",
            organisation_id,
            previous_valid_until,
        )
        row = await self._conn.fetchrow(
            "INSERT INTO dext_secrets (organisation_id, role, sealed, created_by)"
            f" VALUES ($1, 'current', $2, $3) RETURNING {_COLUMNS}",
            organisation_id,
            self._keyring.seal(secret, _context(organisation_id)),
            created_by,
        )
        assert row is not None
        return _credential(row)

    async def end_previous(self, organisation_id: UUID) -> Credential | None:
        row = await self._conn.fetchrow(
            "DELETE FROM dext_secrets WHERE organisation_id = $1 AND role = 'previous'"
            f" RETURNING {_COLUMNS}",
            organisation_id,
        )
        return None if row is None else _credential(row)

    async def revoke_all(self, organisation_id: UUID) -> list[Credential]:
        rows = await self._conn.fetch(
            f"DELETE FROM dext_secrets WHERE organisation_id = $1 RETURNING {_COLUMNS}",
            organisation_id,
        )
        return [_credential(row) for row in rows]

    async def record_use(self, credential_id: UUID, now: datetime, timeout_s: float) -> None:
        """Sets the credential's last use to ``now`` unless it was set within the resolution
        (by another call meanwhile), without waiting for a row another transaction holds."""
        await self._conn.execute(
            "UPDATE dext_secrets SET last_used_at = $2 WHERE credential_id = ("
            " SELECT credential_id FROM dext_secrets WHERE credential_id = $1"
            " AND (last_used_at IS NULL OR last_used_at <= $3) FOR UPDATE SKIP LOCKED)",
            credential_id,
            now,
            now - LAST_USE_RESOLUTION,
            timeout=timeout_s,
        )


async def remember_signature(
    conn: asyncpg.Connection, organisation_id: UUID, signature: str
) -> bool:
    """Records an accepted call's signature in the caller's transaction; False if seen before.

    Kept until the timestamp it came with is stale anyway (twice the tolerance, from now)."""
    await conn.execute(
        "DELETE FROM seen_signatures WHERE organisation_id = $1 AND expires_at < now()",
        organisation_id,
    )
    inserted = await conn.fetchval(
        "INSERT INTO seen_signatures (organisation_id, signature, expires_at)"
        " VALUES ($1, $2, to_timestamp($3)) ON CONFLICT DO NOTHING RETURNING true",
        organisation_id,
        signature,
        time.time() + 2 * TOLERANCE_S,
    )
    return bool(inserted)
