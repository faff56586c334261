"""Organisations' Dext signing secrets, sealed at rest, and the signatures already accepted.

Rotation: registering a new secret keeps the current one as ``previous``; both verify until an
operator retires the previous one, so Dext can switch over without a refused call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_platform.sealing import Keyring

from countersign_ingest.db import Repository
from countersign_ingest.domain.signatures import TOLERANCE_S

__all__ = ["DextSecrets", "SecretState", "remember_signature"]


def _context(organisation_id: UUID) -> str:
    return f"ingest:dext-secret:{organisation_id}"


@dataclass(frozen=True)
class SecretState:
    current_since: datetime | None
    previous_since: datetime | None


class DextSecrets(Repository):
    def __init__(self, conn: asyncpg.Connection, keyring: Keyring) -> None:
        super().__init__(conn)
        self._keyring = keyring

    async def accepted(self, organisation_id: UUID) -> list[bytes]:
        """The secrets a call may be signed with: current first."""
        rows = await self._conn.fetch(
            "SELECT sealed FROM dext_secrets WHERE organisation_id = $1 ORDER BY role",
            organisation_id,
        )
        return [self._keyring.open(row["sealed"], _context(organisation_id)) for row in rows]

    async def state(self, organisation_id: UUID) -> SecretState:
        rows = await self._conn.fetch(
            "SELECT role, created_at FROM dext_secrets WHERE organisation_id = $1",
            organisation_id,
        )
        since = {row["role"]: row["created_at"] for row in rows}
        return SecretState(since.get("current"), since.get("previous"))

    async def register(self, organisation_id: UUID, secret: bytes) -> bool:
        """Makes ``secret`` current, keeping a different current one as previous.
        Returns False when it already was the current secret."""
        async with self._conn.transaction():
            current = await self._conn.fetchval(
                "SELECT sealed FROM dext_secrets WHERE organisation_id = $1 AND role = 'current'"
                " FOR UPDATE",
                organisation_id,
            )
            context = _context(organisation_id)
            if current is not None and self._keyring.open(current, context) == secret:
                return False
            if current is not None:
                await self._conn.execute(
                    "DELETE FROM dext_secrets WHERE organisation_id = $1 AND role = 'previous'",
                    organisation_id,
                )
                await self._conn.execute(
                    "UPDATE dext_secrets SET role = 'previous'"
                    " WHERE organisation_id = $1 AND role = 'current'",
                    organisation_id,
                )
            await self._conn.execute(
                "INSERT INTO dext_secrets (organisation_id, role, sealed)"
                " VALUES ($1, 'current', $2)",
                organisation_id,
                self._keyring.seal(secret, context),
            )
        return True

    async def retire_previous(self, organisation_id: UUID) -> bool:
        result: str = await self._conn.execute(
            "DELETE FROM dext_secrets WHERE organisation_id = $1 AND role = 'previous'",
            organisation_id,
        )
        return result != "DELETE 0"


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
