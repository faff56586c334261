"""The bills in the organisation's Xero, kept from the publisher's ledger.bills.v1 (ADR 0056)
as likely-duplicate candidates at intake, folded by the same rule as cost items
(``domain.duplicates.keys_of``)."""

from __future__ import annotations

import asyncpg
from countersign_contracts import Envelope, LedgerBillRecorded, LedgerBillRemoved

from countersign_ingest.db.ledger_bills import LedgerBills
from countersign_ingest.domain.duplicates import keys_of

__all__ = ["record_ledger_bill", "remove_ledger_bill"]


async def record_ledger_bill(
    conn: asyncpg.Connection, envelope: Envelope[LedgerBillRecorded]
) -> None:
    bill = envelope.payload
    keys = keys_of(
        bill.contact_name, bill.invoice_number, bill.bill_date, bill.currency, bill.total
    )
    await LedgerBills(conn).keep(
        envelope.organisation_id,
        bill.xero_invoice_id,
        bill.invoice_number,
        bill.contact_name,
        bill.xero_status.value,
        bill.publication_id,
        keys,
        bill.xero_updated_at,
    )


async def remove_ledger_bill(
    conn: asyncpg.Connection, envelope: Envelope[LedgerBillRemoved]
) -> None:
    bill = envelope.payload
    await LedgerBills(conn).remove(
        envelope.organisation_id, bill.xero_invoice_id, bill.xero_status.value, bill.xero_updated_at
    )
