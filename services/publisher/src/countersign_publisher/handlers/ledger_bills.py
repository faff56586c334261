"""The bills in Xero announced: a follower of ``observe`` (``xero_changes.FOLLOWERS``, ADR 0056).

newer state of an INVOICE kept ─▶ ``domain/ledger_bills.announcement`` (a bill new, changed in
    a field ingest's duplicate rules read, or voided/deleted; else nothing)
    ─▶ which publication made it, if any (``domain/bypass.made_by``: the one holding its id,
       or the one whose marker and lookup key it carries while the id is not stored yet)
    ─▶ ``LedgerBillRecorded`` or ``LedgerBillRemoved`` to the outbox, in the transaction that
       keeps the state: a repeated or reordered webhook, or the poll, is no newer state and
       announces nothing
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_contracts import (
    ChangeSeenBy,
    LedgerBillRecorded,
    LedgerBillRemoved,
    XeroInvoiceStatus,
)
from pydantic import ValidationError

from countersign_publisher.adapters.xero_mapping import parse_xero_datetime
from countersign_publisher.domain.bypass import OutsideBill
from countersign_publisher.domain.ledger_bills import announcement
from countersign_publisher.domain.xero_changes import ObservedChange
from countersign_publisher.handlers.bypass import publication_that_made
from countersign_publisher.handlers.events import Cause, emit_ledger_bill

__all__ = ["announce_bill"]

log = logging.getLogger(__name__)


async def announce_bill(conn: asyncpg.Connection, change: ObservedChange) -> None:
    """Announces a bill in Xero when it is new, changed in a field that matters, or gone."""
    if change.category != "INVOICE":
        return
    found = announcement(change.previous, change.current)
    if found is None:
        return
    bill = found.bill
    updated = parse_xero_datetime(change.current.get("UpdatedDateUTC"))
    assert updated is not None, "observe keeps only a state with its UpdatedDateUTC"
    seen_by = ChangeSeenBy(change.seen_by)
    maker = (
        None
        if found.kind == "removed"
        else await publication_that_made(conn, change.organisation_id, bill)
    )
    try:
        event = _event(found.kind, bill, maker, updated, seen_by)
    except ValidationError as error:
        # A bill the contract cannot carry (say, a currency it does not know) is no candidate;
        # failing here would undo the state kept and hold up the other followers.
        log.warning("bill %s in Xero not announced: %s", bill.invoice_id, error)
        return
    await emit_ledger_bill(conn, event, Cause(change.organisation_id, bill.invoice_id))
    log.info("bill %s in Xero announced: %s", bill.invoice_id, found.kind)


def _event(
    kind: str, bill: OutsideBill, maker: UUID | None, updated: datetime, seen_by: ChangeSeenBy
) -> LedgerBillRecorded | LedgerBillRemoved:
    if kind == "removed":
        return LedgerBillRemoved(
            xero_invoice_id=bill.invoice_id,
            xero_status=XeroInvoiceStatus(bill.status),
            xero_updated_at=updated,
            seen_by=seen_by,
        )
    return LedgerBillRecorded(
        xero_invoice_id=bill.invoice_id,
        invoice_number=bill.number[:255],
        xero_contact_id=bill.contact_id,
        contact_name=bill.contact_name[:255],
        bill_date=bill.bill_date,
        total=bill.total,
        currency=bill.currency,
        xero_status=XeroInvoiceStatus(bill.status),
        publication_id=maker,
        xero_updated_at=updated,
        seen_by=seen_by,
    )
