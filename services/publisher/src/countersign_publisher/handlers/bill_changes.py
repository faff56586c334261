"""Changes after approval: a follower of ``observe`` (``xero_changes.FOLLOWERS``, ADR 0054).

newer state of an INVOICE kept ─▶ a bill Countersign published? (else nothing)
    ─▶ its watched fields against the approved bill mapped as it was sent, and against the
       state kept before ─▶ newly different? ``BillChangedInXero`` to the outbox, in the
       transaction that keeps the state (so the report and the state are kept together, once)
"""

from __future__ import annotations

import logging
from uuid import UUID

import asyncpg
from countersign_contracts import (
    TOLERANT,
    Bill,
    BillChangedInXero,
    ChangeSeenBy,
    PublicationKind,
    RequestAuthorised,
    XeroDifference,
    XeroInvoiceStatus,
)

from countersign_publisher.adapters.xero_mapping import (
    parse_xero_datetime,
    xero_bill,
    xero_contact_name,
)
from countersign_publisher.db.bill_changes import PublishedBill, PublishedBills
from countersign_publisher.domain.bill_changes import Approved, Difference, newly_different
from countersign_publisher.domain.xero_changes import ObservedChange
from countersign_publisher.handlers.events import Cause, emit_publication_event

__all__ = ["approved_bill", "compare_with_approved"]

log = logging.getLogger(__name__)


def approved_bill(bill: Bill, contact_id: UUID) -> Approved:
    """The approved bill mapped to Xero's terms by the mapping that created it (the URL is not
    watched: any will do)."""
    invoice = xero_bill(bill, contact_id, url="")
    return Approved(invoice, bill.total, xero_contact_name(bill.supplier.name))


async def compare_with_approved(conn: asyncpg.Connection, change: ObservedChange) -> None:
    """Reports a bill Countersign published whose watched fields newly differ in Xero."""
    if change.category != "INVOICE":
        return
    published = await PublishedBills(conn).by_invoice(change.organisation_id, change.resource_id)
    if published is None:
        return
    authorised = RequestAuthorised.model_validate_json(published.document, context=TOLERANT)
    approved = approved_bill(authorised.bill, published.xero_contact_id)
    found = newly_different(approved, change.previous, change.current)
    if not found:
        return
    event = _event(published, change, found)
    await emit_publication_event(
        conn, event, Cause(change.organisation_id, published.correlation_id)
    )
    log.info(
        "bill %s of request %s changed in Xero: %s",
        change.resource_id, published.request_id, ", ".join(d.field for d in found),
    )  # fmt: skip


def _event(
    published: PublishedBill, change: ObservedChange, found: list[Difference]
) -> BillChangedInXero:
    updated = parse_xero_datetime(change.current.get("UpdatedDateUTC"))
    assert updated is not None, "observe keeps only a state with its UpdatedDateUTC"
    return BillChangedInXero(
        publication_id=published.publication_id,
        kind=PublicationKind.BILL,
        request_id=published.request_id,
        dext_item_id=published.dext_item_id,
        item_version=published.item_version,
        xero_invoice_id=change.resource_id,
        differences=[
            XeroDifference(field=d.field, approved=_cut(d.approved), now=_cut(d.now)) for d in found
        ],
        xero_status=XeroInvoiceStatus(str(change.current.get("Status") or "AUTHORISED")),
        xero_updated_at=updated,
        seen_by=ChangeSeenBy(change.seen_by),
    )


def _cut(value: str | None) -> str | None:
    return None if value is None else value[:2000]
