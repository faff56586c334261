"""SQL of organisations' status, as approval announced it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_ingest.db import Repository

__all__ = ["OrganisationStatus"]


class OrganisationStatus(Repository):
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

    async def status_of(self, organisation_id: UUID) -> str | None:
        found: str | None = await self._conn.fetchval(
            "SELECT status FROM organisation_status WHERE organisation_id = $1", organisation_id
        )
        return found
