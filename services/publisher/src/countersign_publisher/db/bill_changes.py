"""SQL of the bills Countersign published, looked up by the ledger's bill a change is about."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

__all__ = ["PublishedBill", "PublishedBills"]

_COLUMNS = (
    "SELECT publication_id, request_id, dext_item_id, item_version, document::text,"
    " ledger_contact_id, correlation_id FROM publications"
)


@dataclass(frozen=True)
class PublishedBill:
    publication_id: UUID
    request_id: UUID
    dext_item_id: str
    item_version: int
    document: str  # JSON of the RequestAuthorised payload: the bill as approved and sent
    ledger_contact_id: str  # Xero's ContactID as text, or QBO's vendor Id
    correlation_id: UUID


class PublishedBills:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def by_invoice(self, organisation_id: UUID, invoice_id: UUID) -> PublishedBill | None:
        """The bill publication that created the Xero invoice ``invoice_id``, once its contact
        and invoice ids are stored (migration 0008's index)."""
        record = await self._conn.fetchrow(
            f"{_COLUMNS} WHERE organisation_id = $1 AND xero_invoice_id = $2 AND kind = 'bill'"
            " AND ledger_contact_id IS NOT NULL AND request_id IS NOT NULL",
            organisation_id,
            invoice_id,
        )
        return None if record is None else PublishedBill(**dict(record))

    async def by_bill(self, organisation_id: UUID, bill_id: str) -> PublishedBill | None:
        """The bill publication that created the ledger's bill ``bill_id`` (migration 0015's
        index), once its vendor and bill ids are stored."""
        record = await self._conn.fetchrow(
            f"{_COLUMNS} WHERE organisation_id = $1 AND ledger_bill_id = $2 AND kind = 'bill'"
            " AND ledger_contact_id IS NOT NULL AND request_id IS NOT NULL",
            organisation_id,
            bill_id,
        )
        return None if record is None else PublishedBill(**dict(record))
