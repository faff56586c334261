"""SQL of an organisation's publication settings (migrations 0006, 0009): no row, the
defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

__all__ = ["OrganisationSettings", "PublicationSettings"]


@dataclass(frozen=True)
class PublicationSettings:
    """``changed_by`` and ``changed_at`` are None while the defaults hold;
    ``bypass_detection_from`` None while the start date is the day Xero was first connected."""

    xero_history_notes: bool = True
    bypass_detection_from: date | None = None
    changed_by: str | None = None
    changed_at: datetime | None = None


_COLUMNS = "xero_history_notes, bypass_detection_from, changed_by, changed_at"


class OrganisationSettings:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, organisation_id: UUID, *, for_update: bool = False) -> PublicationSettings:
        lock = " FOR UPDATE" if for_update else ""
        record = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM organisation_settings WHERE organisation_id = $1{lock}",
            organisation_id,
        )
        return PublicationSettings() if record is None else PublicationSettings(**dict(record))

    async def put(
        self,
        organisation_id: UUID,
        xero_history_notes: bool,
        bypass_detection_from: date | None,
        changed_by: str,
    ) -> PublicationSettings:
        record = await self._conn.fetchrow(
            "INSERT INTO organisation_settings"
            " (organisation_id, xero_history_notes, bypass_detection_from, changed_by)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (organisation_id) DO UPDATE"
            " SET xero_history_notes = $2, bypass_detection_from = $3, changed_by = $4,"
            f" changed_at = now() RETURNING {_COLUMNS}",
            organisation_id,
            xero_history_notes,
            bypass_detection_from,
            changed_by,
        )
        assert record is not None
        return PublicationSettings(**dict(record))
