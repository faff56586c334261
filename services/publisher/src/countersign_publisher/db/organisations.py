"""SQL of organisations' status, as approval announced it (migration 0004)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

__all__ = ["NOT_SUSPENDED", "OrganisationStatus"]

NOT_SUSPENDED = (
    "NOT EXISTS (SELECT 1 FROM organisation_status s"
    " WHERE s.organisation_id = {table}.organisation_id AND s.status = 'suspended')"
)
"""A condition on ``{table}.organisation_id``: the operator has not suspended it."""


class OrganisationStatus:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def keep_newest(self, organisation_id: UUID, status: str, occurred_at: datetime) -> None:
        await self._conn.execute(
            "INSERT INTO organisation_status (organisation_id, status, occurred_at)"
            " VALUES ($1, $2, $3) ON CONFLICT (organisation_id) DO UPDATE"
            " SET status = excluded.status, occurred_at = excluded.occurred_at"
            " WHERE organisation_status.occurred_at <= excluded.occurred_at",
            organisation_id,
            status,
            occurred_at,
        )

    async def suspended(self, organisation_id: UUID) -> bool:
        found = await self._conn.fetchval(
            "SELECT status FROM organisation_status WHERE organisation_id = $1", organisation_id
        )
        return bool(found == "suspended")
