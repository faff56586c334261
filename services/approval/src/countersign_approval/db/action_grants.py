"""Action grants (migration 0009): each by its SHA-256 only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

__all__ = ["ActionGrants", "StoredGrant"]


@dataclass(frozen=True)
class StoredGrant:
    organisation_id: UUID
    request_id: UUID
    user_id: UUID
    step_index: int


class ActionGrants:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, grant_sha256: str, grant: StoredGrant, client: str, expires_at: datetime
    ) -> None:
        await self._conn.execute(
            "INSERT INTO action_grants (grant_sha256, organisation_id, request_id, user_id,"
            " step_index, client, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            grant_sha256, grant.organisation_id, grant.request_id, grant.user_id,
            grant.step_index, client, expires_at,
        )  # fmt: skip

    async def live(self, grant_sha256: str) -> StoredGrant | None:
        """An unused, unexpired grant (any client may show or use it: the web app does)."""
        row = await self._conn.fetchrow(
            "SELECT organisation_id, request_id, user_id, step_index FROM action_grants"
            " WHERE grant_sha256 = $1 AND used_at IS NULL AND expires_at > now()",
            grant_sha256,
        )
        return None if row is None else StoredGrant(**dict(row))

    async def spend(self, grant_sha256: str) -> bool:
        """Marks it used; False when it was used (or expired) meanwhile."""
        status = await self._conn.execute(
            "UPDATE action_grants SET used_at = now() WHERE grant_sha256 = $1"
            " AND used_at IS NULL AND expires_at > now()",
            grant_sha256,
        )
        return bool(status.endswith(" 1"))
