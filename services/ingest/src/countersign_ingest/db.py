"""All of ingest's SQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

__all__ = ["CostItems", "StoredItem"]


@dataclass(frozen=True)
class StoredItem:
    organisation_id: UUID
    dext_item_id: str
    latest_version: int
    correlation_id: UUID
    content_sha256: str
    status: str
    status_detail: dict[str, Any]


class CostItems:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(
        self, organisation_id: UUID, dext_item_id: str, *, lock: bool = False
    ) -> StoredItem | None:
        row = await self._conn.fetchrow(
            "SELECT i.organisation_id, i.dext_item_id, i.latest_version, i.correlation_id,"
            " i.status, i.status_detail, v.content_sha256"
            " FROM cost_items i JOIN cost_item_versions v"
            " ON v.organisation_id = i.organisation_id AND v.dext_item_id = i.dext_item_id"
            " AND v.version = i.latest_version"
            " WHERE i.organisation_id = $1 AND i.dext_item_id = $2"
            + (" FOR UPDATE OF i" if lock else ""),
            organisation_id,
            dext_item_id,
        )
        if row is None:
            return None
        return StoredItem(
            organisation_id=row["organisation_id"],
            dext_item_id=row["dext_item_id"],
            latest_version=row["latest_version"],
            correlation_id=row["correlation_id"],
            content_sha256=row["content_sha256"],
            status=row["status"],
            status_detail=json.loads(row["status_detail"]),
        )

    async def add_version(
        self,
        organisation_id: UUID,
        dext_item_id: str,
        version: int,
        correlation_id: UUID,
        content_sha256: str,
        bill: str,
        status: str,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO cost_items (organisation_id, dext_item_id, latest_version,"
            " correlation_id, status) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (organisation_id, dext_item_id) DO UPDATE SET"
            " latest_version = excluded.latest_version, status = excluded.status,"
            " status_detail = '{}', updated_at = now()",
            organisation_id,
            dext_item_id,
            version,
            correlation_id,
            status,
        )
        await self._conn.execute(
            "INSERT INTO cost_item_versions (organisation_id, dext_item_id, version,"
            " content_sha256, bill) VALUES ($1, $2, $3, $4, $5::jsonb)",
            organisation_id,
            dext_item_id,
            version,
            content_sha256,
            bill,
        )

    async def set_status(
        self,
        organisation_id: UUID,
        dext_item_id: str,
        version: int,
        status: str,
        detail: dict[str, Any],
    ) -> bool:
        """Updates the status reported for ``version``; an older version's news is ignored."""
        result: str = await self._conn.execute(
            "UPDATE cost_items SET status = $4, status_detail = $5::jsonb, updated_at = now()"
            " WHERE organisation_id = $1 AND dext_item_id = $2 AND latest_version = $3",
            organisation_id,
            dext_item_id,
            version,
            status,
            json.dumps(detail),
        )
        return result.endswith(" 1")
