"""All of publisher's SQL."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

__all__ = ["PublicationRow", "Publications"]


@dataclass(frozen=True)
class PublicationRow:
    publication_id: UUID
    organisation_id: UUID
    request_id: UUID
    dext_item_id: str
    item_version: int
    state: str


_COLUMNS = "publication_id, organisation_id, request_id, dext_item_id, item_version, state"


class Publications:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self,
        publication_id: UUID,
        organisation_id: UUID,
        request_id: UUID,
        dext_item_id: str,
        item_version: int,
        state: str,
        bill: str,
        correlation_id: UUID,
    ) -> bool:
        """Records the publication; False when this request already has one."""
        status: str = await self._conn.execute(
            "INSERT INTO publications (publication_id, organisation_id, request_id, dext_item_id,"
            " item_version, state, bill, correlation_id)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)"
            " ON CONFLICT (organisation_id, request_id) DO NOTHING",
            publication_id,
            organisation_id,
            request_id,
            dext_item_id,
            item_version,
            state,
            bill,
            correlation_id,
        )
        return status.endswith(" 1")

    async def for_item(self, organisation_id: UUID, dext_item_id: str) -> list[PublicationRow]:
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM publications"
            " WHERE organisation_id = $1 AND dext_item_id = $2 ORDER BY item_version",
            organisation_id,
            dext_item_id,
        )
        return [PublicationRow(**dict(row)) for row in rows]
