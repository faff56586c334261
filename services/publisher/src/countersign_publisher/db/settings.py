"""SQL of an organisation's publication settings (migration 0006): no row, the defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

__all__ = ["OrganisationSettings", "PublicationSettings"]


@dataclass(frozen=True)
class PublicationSettings:
    """``changed_by`` and ``changed_at`` are None while the defaults hold."""

    xero_history_notes: bool = True
    changed_by: str | None = None
    changed_at: datetime | None = None


class OrganisationSettings:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, organisation_id: UUID) -> PublicationSettings:
        record = await self._conn.fetchrow(
            "SELECT xero_history_notes, changed_by, changed_at FROM organisation_settings"
            " WHERE organisation_id = $1",
            organisation_id,
        )
        return PublicationSettings() if record is None else PublicationSettings(**dict(record))

    async def put(
        self, organisation_id: UUID, xero_history_notes: bool, changed_by: str
    ) -> PublicationSettings:
        record = await self._conn.fetchrow(
            "INSERT INTO organisation_settings (organisation_id, xero_history_notes, changed_by)"
            " VALUES ($1, $2, $3) ON CONFLICT (organisation_id) DO UPDATE"
            " SET xero_history_notes = $2, changed_by = $3, changed_at = now()"
            " RETURNING xero_history_notes, changed_by, changed_at",
            organisation_id,
            xero_history_notes,
            changed_by,
        )
        assert record is not None
        return PublicationSettings(**dict(record))
