"""The supplier directory Dext pulls: kept current from the publisher's contact sync, served
in the order suppliers changed (``domain.supplier_pages``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import Envelope, SupplierSynced

from countersign_ingest.db.suppliers import Suppliers
from countersign_ingest.domain.supplier_pages import encode_cursor, start_after

__all__ = ["SupplierBatch", "record_supplier", "supplier_page"]


@dataclass(frozen=True)
class SupplierBatch:
    suppliers: list[dict[str, Any]]
    next_cursor: str | None  # set when the batch is full: more may follow


async def supplier_page(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    cursor: str | None,
    changed_since: datetime | None,
    limit: int,
) -> SupplierBatch:
    rows = await Suppliers(conn).page(organisation_id, start_after(cursor, changed_since), limit)
    next_cursor = None
    if len(rows) == limit:
        next_cursor = encode_cursor((rows[-1]["xero_updated_at"], rows[-1]["xero_contact_id"]))
    return SupplierBatch(rows, next_cursor)


async def record_supplier(conn: asyncpg.Connection, envelope: Envelope[SupplierSynced]) -> None:
    supplier = envelope.payload
    details = supplier.model_dump(
        mode="json",
        include={
            "ledger",
            "ledger_contact_id",
            "contact_number",
            "tax_number",
            "default_currency",
            "purchases_default_account_code",
        },
    )
    await Suppliers(conn).keep_newest(
        envelope.organisation_id,
        supplier.xero_contact_id,
        supplier.name,
        supplier.status.value,
        details,
        supplier.xero_updated_at,
    )
