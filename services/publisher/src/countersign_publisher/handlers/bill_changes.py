"""Changes after approval: a follower of each ledger's ``observe`` (ADRs 0054, 0072).

newer state of a bill kept ─▶ a bill Countersign published? (else nothing)
    ─▶ its watched fields against the approved bill mapped as it was sent, and against the
       state kept before ─▶ newly different? ``BillChangedInXero`` (naming its ledger) to the
       outbox, in the transaction that keeps the state (so report and state are kept once)

Xero: the state kept is Xero's invoice, read here by ``xero_state``; the approved bill is
``xero_bill``'s. QBO: the state kept is already a ``BillState`` (``adapters/qbo_changes``);
the approved bill is ``qbo_approved``'s.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import (
    TOLERANT,
    Bill,
    BillChangedInXero,
    ChangeSeenBy,
    Ledger,
    PublicationKind,
    RequestAuthorised,
    XeroDifference,
    XeroInvoiceStatus,
    ledger_uuid,
)

from countersign_publisher.adapters.qbo_changes import QBO_BILL, qbo_approved
from countersign_publisher.adapters.xero_mapping import (
    parse_xero_datetime,
    xero_bill,
    xero_contact_name,
)
from countersign_publisher.db.bill_changes import PublishedBill, PublishedBills
from countersign_publisher.domain.bill_changes import (
    BillLine,
    BillState,
    Difference,
    newly_different,
    tracking_text,
)
from countersign_publisher.domain.xero_changes import ObservedChange
from countersign_publisher.handlers.events import Cause, emit_publication_event

__all__ = ["approved_bill", "compare_qbo_with_approved", "compare_with_approved", "xero_state"]

log = logging.getLogger(__name__)

Json = dict[str, Any]


def xero_state(invoice: Json, contact_name: str | None = None) -> BillState:
    """An invoice in Xero's JSON (as kept, or as ``xero_bill`` wrote it) as the comparison
    reads it; a record without ``LineItems`` (a summary read) says nothing of lines."""
    contact = invoice.get("Contact") or {}
    items = invoice.get("LineItems")
    lines = None
    if "LineItems" in invoice:
        lines = tuple(
            BillLine(
                description=str(line.get("Description") or "").strip(),
                line_amount=None if line.get("LineAmount") is None else str(line["LineAmount"]),
                account_code=str(line.get("AccountCode") or "").strip(),
                tax_type=str(line.get("TaxType") or "").strip(),
                tracking=tracking_text(
                    [(t.get("Name"), t.get("Option")) for t in line.get("Tracking") or ()]
                ),
            )
            for line in items or ()
        )
    total = invoice.get("Total")
    return BillState(
        status=str(invoice.get("Status") or ""),
        contact_id=str(contact.get("ContactID") or ""),
        contact_name=contact_name or (str(contact.get("Name") or "").strip() or None),
        total=None if total is None else str(total),
        currency=str(invoice.get("CurrencyCode") or ""),
        lines=lines,
    )


def approved_bill(bill: Bill, contact_id: UUID) -> BillState:
    """The approved bill mapped to Xero's terms by the mapping that created it (the URL is not
    watched: any will do); the total is the approved one (Xero computes its own)."""
    invoice = {**xero_bill(bill, contact_id, url=""), "Total": bill.total}
    return xero_state(invoice, xero_contact_name(bill.supplier.name))


async def compare_with_approved(conn: asyncpg.Connection, change: ObservedChange) -> None:
    """Reports a bill Countersign published whose watched fields newly differ in Xero."""
    if change.category != "INVOICE":
        return
    published = await PublishedBills(conn).by_invoice(change.organisation_id, change.resource_id)
    if published is None:
        return
    authorised = RequestAuthorised.model_validate_json(published.document, context=TOLERANT)
    approved = approved_bill(authorised.bill, UUID(published.ledger_contact_id))
    previous = None if change.previous is None else xero_state(change.previous)
    found = newly_different(approved, previous, xero_state(change.current))
    updated = parse_xero_datetime(change.current.get("UpdatedDateUTC"))
    assert updated is not None, "observe keeps only a state with its UpdatedDateUTC"
    status = str(change.current.get("Status") or "AUTHORISED")
    bill_id = str(change.resource_id)
    await _report(conn, change, published, found, (Ledger.XERO, bill_id, status, updated))


async def compare_qbo_with_approved(conn: asyncpg.Connection, change: ObservedChange) -> None:
    """Reports a bill Countersign published whose watched fields newly differ in QBO."""
    if change.category != QBO_BILL:
        return
    bill_id = str(change.current["bill_id"])
    published = await PublishedBills(conn).by_bill(change.organisation_id, bill_id)
    if published is None:
        return
    authorised = RequestAuthorised.model_validate_json(published.document, context=TOLERANT)
    approved = qbo_approved(authorised.bill, published.ledger_contact_id)
    previous = None if change.previous is None else BillState.from_json(change.previous["state"])
    current = BillState.from_json(change.current["state"])
    if current.contact_id is None and previous is not None:
        # Deleted: QBO tells only that; the bill is what it was, deleted.
        current = replace(previous, status=current.status)
    found = newly_different(approved, previous, current)
    updated = datetime.fromisoformat(str(change.current["updated_at"]))
    await _report(conn, change, published, found, (Ledger.QBO, bill_id, current.status, updated))


async def _report(
    conn: asyncpg.Connection,
    change: ObservedChange,
    published: PublishedBill,
    found: list[Difference],
    bill: tuple[Ledger, str, str, datetime],
) -> None:
    if not found:
        return
    ledger, bill_id, status, updated = bill
    event = BillChangedInXero(
        publication_id=published.publication_id,
        kind=PublicationKind.BILL,
        request_id=published.request_id,
        dext_item_id=published.dext_item_id,
        item_version=published.item_version,
        ledger=ledger,
        xero_invoice_id=ledger_uuid(ledger, change.organisation_id, "bill", bill_id),
        ledger_bill_id=bill_id,
        differences=[
            XeroDifference(field=d.field, approved=_cut(d.approved), now=_cut(d.now)) for d in found
        ],
        xero_status=XeroInvoiceStatus(status),
        xero_updated_at=updated,
        seen_by=ChangeSeenBy(change.seen_by),
    )
    cause = Cause(change.organisation_id, published.correlation_id, ledger=ledger)
    await emit_publication_event(conn, event, cause)
    log.info(
        "bill %s of request %s changed in %s: %s",
        bill_id, published.request_id, ledger.value, ", ".join(d.field for d in found),
    )  # fmt: skip


def _cut(value: str | None) -> str | None:
    return None if value is None else value[:2000]
