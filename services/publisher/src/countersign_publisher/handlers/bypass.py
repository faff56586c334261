"""Bypass detection: a follower of ``observe`` (``xero_changes.FOLLOWERS``, ADR 0055).

newer state of an INVOICE kept ─▶ a bill approved in Xero (ACCPAY, AUTHORISED or PAID), dated
    on or after the organisation's start date? (else nothing)
    ─▶ made by one of the organisation's publications (``domain/bypass.made_by``)? nothing
    ─▶ recorded in ``bypassed_bills`` (once per bill, once per repeating template)? then
       ``BillAuthorisedOutsideCountersign`` to the outbox, in the transaction that keeps the
       state: a repeated or reordered webhook, or the poll, finds the row and adds nothing
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_contracts import (
    BillAuthorisedOutsideCountersign,
    ChangeSeenBy,
    XeroInvoiceStatus,
)

from countersign_publisher.adapters.xero_mapping import parse_xero_datetime
from countersign_publisher.db.bypass import BypassedBills
from countersign_publisher.domain.bypass import (
    OutsideBill,
    made_by,
    outside_bill,
    publication_marked,
    report_id,
)
from countersign_publisher.domain.xero_changes import ObservedChange
from countersign_publisher.handlers.events import Cause, emit_publication_event

__all__ = ["publication_that_made", "report_bypass"]

log = logging.getLogger(__name__)


async def report_bypass(conn: asyncpg.Connection, change: ObservedChange) -> None:
    """Reports a bill approved in Xero that none of Countersign's publications made."""
    if change.category != "INVOICE" or str(change.current.get("Type")).upper() != "ACCPAY":
        return
    store = BypassedBills(conn)
    start = await store.start_date(change.organisation_id)
    bill = None if start is None else outside_bill(change.current, start)
    if bill is None:
        return
    if await publication_that_made(conn, change.organisation_id, bill) is not None:
        return
    updated = parse_xero_datetime(change.current.get("UpdatedDateUTC"))
    assert updated is not None, "observe keeps only a state with its UpdatedDateUTC"
    if not await store.record(
        change.organisation_id, bill.invoice_id, bill.repeating_invoice_id, updated
    ):
        return
    event = _event(change, bill, updated)
    await emit_publication_event(conn, event, Cause(change.organisation_id, event.publication_id))
    log.info(
        "bill %s authorised in Xero outside Countersign (repeating template: %s)",
        bill.invoice_id, bill.repeating_invoice_id,
    )  # fmt: skip


async def publication_that_made(
    conn: asyncpg.Connection, organisation_id: UUID, bill: OutsideBill
) -> UUID | None:
    """The organisation's publication that made ``bill``, if one did (``made_by``: the one
    holding its id, or the one whose marker and lookup key it carries before the id is stored)."""
    candidates = await BypassedBills(conn).publications(
        organisation_id, bill.invoice_id, publication_marked(bill.url)
    )
    return next((p.publication_id for p in candidates if made_by(bill, p)), None)


def _event(
    change: ObservedChange, bill: OutsideBill, updated: datetime
) -> BillAuthorisedOutsideCountersign:
    return BillAuthorisedOutsideCountersign(
        publication_id=report_id(change.organisation_id, bill.invoice_id),
        xero_invoice_id=bill.invoice_id,
        invoice_number=bill.number[:255],
        xero_contact_id=bill.contact_id,
        contact_name=bill.contact_name[:255],
        bill_date=bill.bill_date,
        total=bill.total,
        currency=bill.currency,
        xero_status=XeroInvoiceStatus(bill.status),
        repeating_invoice_id=bill.repeating_invoice_id,
        xero_updated_at=updated,
        seen_by=ChangeSeenBy(change.seen_by),
    )
