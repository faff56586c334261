"""The supplier directory Dext pulls: Xero contacts as the publisher's sync last saw them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from countersign_ingest.db import Repository

__all__ = ["Suppliers"]


class Suppliers(Repository):
    """One row per organisation and Xero contact: the newest ``xero_updated_at`` wins."""

    async def keep_newest(
        self,
        organisation_id: UUID,
        xero_contact_id: UUID,
        name: str,
        status: str,
        details: dict[str, Any],
        xero_updated_at: datetime,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO suppliers (organisation_id, xero_contact_id, name, status, details,"
            " xero_updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)"
            " ON CONFLICT (organisation_id, xero_contact_id) DO UPDATE SET name = excluded.name,"
            " status = excluded.status, details = excluded.details,"
            " xero_updated_at = excluded.xero_updated_at"
            " WHERE suppliers.xero_updated_at < excluded.xero_updated_at",
            organisation_id,
            xero_contact_id,
            name,
            status,
            json.dumps(details),
            xero_updated_at,
        )

    async def page(
        self,
        organisation_id: UUID,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Suppliers changed after the (xero_updated_at, xero_contact_id) position, oldest first."""
        rows = await self._conn.fetch(
            "SELECT xero_contact_id, name, status, details, xero_updated_at FROM suppliers"
            " WHERE organisation_id = $1 AND ($2::timestamptz IS NULL OR"
            " (xero_updated_at, xero_contact_id) > ($2::timestamptz, $3::uuid))"
            " ORDER BY xero_updated_at, xero_contact_id LIMIT $4",
            organisation_id,
            None if after is None else after[0],
            None if after is None else after[1],
            limit,
        )
        return [
            {**json.loads(row["details"]), **{k: v for k, v in row.items() if k != "details"}}
            for row in rows
        ]
