"""What was last told about each bill pulled from Xero (the via-Xero mode, ADR 0058)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from countersign_publisher.domain.pulled_bills import Pulled

__all__ = ["PulledBills"]


class PulledBills:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def last(
        self, organisation_id: UUID, invoice_id: UUID, *, lock: bool = True
    ) -> Pulled | None:
        """What was last told; the row locked unless ``lock`` is False (the caller's transaction
        then keeps the state it tells)."""
        row = await self._conn.fetchrow(
            "SELECT version, bill, status FROM pulled_bills"
            " WHERE organisation_id = $1 AND xero_invoice_id = $2"
            + (" FOR UPDATE" if lock else ""),
            organisation_id,
            invoice_id,
        )
        if row is None:
            return None
        return Pulled(row["version"], json.loads(row["bill"]), row["status"])

    async def told(
        self,
        organisation_id: UUID,
        invoice_id: UUID,
        told: Pulled,
        updated_at: datetime,
    ) -> None:
        bill: Any = json.dumps(told.bill)
        await self._conn.execute(
            "INSERT INTO pulled_bills (organisation_id, xero_invoice_id, version, bill, status,"
            " xero_updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6)"
            " ON CONFLICT (organisation_id, xero_invoice_id) DO UPDATE SET"
            " version = excluded.version, bill = excluded.bill, status = excluded.status,"
            " xero_updated_at = excluded.xero_updated_at",
            organisation_id,
            invoice_id,
            told.version,
            bill,
            told.status,
            updated_at,
        )
