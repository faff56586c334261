"""Bypass detection (ADR 0055; pure, no IO): is a bill Xero reports one that was authorised in
Xero without coming through Countersign?

    an INVOICE kept ─▶ ACCPAY? AUTHORISED or PAID? dated on or after the start date?
        (else: not a bypass, whatever it is) ─▶ ``OutsideBill``
    ─▶ made by one of the organisation's publications? (``made_by``: the publication holds
       its id; or, while the publication does not hold it yet, the bill carries the
       publication's marker and the lookup key it would be found by before resending:
       InvoiceNumber, ContactID and the marked Url) ─▶ ours, never reported
    ─▶ else reported once per bill, once per repeating template (the unique keys in the
       handler's table)
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from countersign_platform.refusals import FieldError, Invalid

from countersign_publisher.domain.identifiers import marked_url

__all__ = [
    "REPORTED_STATUSES",
    "OutsideBill",
    "PublicationMark",
    "StartDateRefused",
    "check_start_date",
    "made_by",
    "outside_bill",
    "publication_marked",
    "report_id",
    "xero_bill",
    "xero_date",
]

Json = dict[str, Any]

REPORTED_STATUSES = frozenset({"AUTHORISED", "PAID"})
"""Approved in Xero: DRAFT and SUBMITTED are not (yet); VOIDED and DELETED no longer count."""

_NAMESPACE = UUID("2f6d3c1e-8b0a-4f59-9a57-7c1a4a0f3b55")
_MS_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{2,4})?\)/")
_MARK = re.compile(r"[#&]countersign-publication=([0-9a-fA-F-]{36})$")


@dataclass(frozen=True)
class OutsideBill:
    """What a report says of a bill approved in Xero, read from the invoice as Xero has it."""

    invoice_id: UUID
    number: str
    contact_id: UUID
    contact_name: str
    bill_date: date
    total: Decimal
    currency: str
    status: str
    repeating_invoice_id: UUID | None
    url: str


@dataclass(frozen=True)
class PublicationMark:
    """What a bill publication of the organisation says of the bill it creates: the invoice id
    once stored, and the lookup key used before resending (``records.find_bill``)."""

    publication_id: UUID
    xero_invoice_id: UUID | None
    invoice_number: str
    xero_contact_id: UUID | None
    source_url: str


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _uuid(value: Any) -> UUID | None:
    try:
        found = UUID(_text(value))
    except ValueError:
        return None
    return None if found.int == 0 else found


def xero_date(value: Any) -> date | None:
    """Xero's ``Date``: ``/Date(ms+0000)/`` or an ISO date (``DateString``)."""
    text = _text(value)
    match = _MS_DATE.fullmatch(text)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(_text(value))
    except InvalidOperation:
        return None


def outside_bill(invoice: Json, start: date) -> OutsideBill | None:
    """The bill to judge, when ``invoice`` is a bill approved in Xero dated on or after
    ``start``; None for anything else (a sales invoice, a draft, an older bill)."""
    bill = xero_bill(invoice)
    if bill is None or bill.status not in REPORTED_STATUSES or bill.bill_date < start:
        return None
    return bill


def xero_bill(invoice: Json) -> OutsideBill | None:
    """``invoice`` read as a bill (ACCPAY) of any status; None for a sales invoice or one
    without its id, contact, date or total."""
    if _text(invoice.get("Type")).upper() != "ACCPAY":
        return None
    status = _text(invoice.get("Status")).upper()
    day = xero_date(invoice.get("Date")) or xero_date(invoice.get("DateString"))
    if day is None:
        return None
    contact = invoice.get("Contact") or {}
    invoice_id, contact_id = _uuid(invoice.get("InvoiceID")), _uuid(contact.get("ContactID"))
    total = _decimal(invoice.get("Total"))
    if invoice_id is None or contact_id is None or total is None:
        return None
    return OutsideBill(
        invoice_id=invoice_id,
        number=_text(invoice.get("InvoiceNumber")),
        contact_id=contact_id,
        contact_name=_text(contact.get("Name")),
        bill_date=day,
        total=total,
        currency=_text(invoice.get("CurrencyCode")).upper(),
        status=status,
        repeating_invoice_id=_uuid(invoice.get("RepeatingInvoiceID")),
        url=_text(invoice.get("Url")),
    )


def publication_marked(url: str) -> UUID | None:
    """The publication a bill's Url names (``identifiers.marked_url``), if any."""
    match = _MARK.search(url)
    return None if match is None else _uuid(match.group(1))


def made_by(bill: OutsideBill, publication: PublicationMark) -> bool:
    """Whether ``publication`` made ``bill``: it holds the bill's id; or it holds no bill yet
    (its answer may have been lost after Xero committed) and the bill is the one its lookup
    before resending would find: the same InvoiceNumber and ContactID, and its marked Url."""
    if publication.xero_invoice_id is not None:
        return publication.xero_invoice_id == bill.invoice_id
    return (
        publication.invoice_number == bill.number
        and publication.xero_contact_id == bill.contact_id
        and marked_url(publication.source_url, publication.publication_id) == bill.url
    )


def report_id(organisation_id: UUID, invoice_id: UUID) -> UUID:
    """The report's subject: one name-based id per organisation and bill."""
    return uuid.uuid5(_NAMESPACE, f"{organisation_id}:{invoice_id}")


class StartDateRefused(Invalid):
    kind = "bypass-detection-from"
    title = "Start date not accepted"


def check_start_date(wanted: date, current: date | None, today: date) -> None:
    """A new start date: not in the future, and never later than the one in force (the
    default included), so bills already inside the watch are never taken out of it. Raises
    ``StartDateRefused`` naming the field and the rule."""
    if wanted > today:
        rule, message = "not_in_future", f"The start date may not be after today ({today})"
    elif current is not None and wanted > current:
        rule, message = (
            "only_earlier",
            f"The start date may only move earlier than {current}: a later one would leave"
            " bills approved in Xero unreported",
        )
    else:
        return
    raise StartDateRefused(message, [FieldError("bypass_detection_from", rule, message)])
