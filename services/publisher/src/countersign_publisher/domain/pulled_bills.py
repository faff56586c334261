"""Bills pulled from Xero in the via-Xero mode (ADR 0058; pure, no IO).

a newer state of an INVOICE kept ─▶ ACCPAY?
    SUBMITTED, organisation in via_xero ─▶ ``submitted_bill`` (the bill in the contracts'
        terms) ─▶ first pulled, back from another status, or a different bill than the
        last told? ─▶ ``Pull.TELL`` with the next version; the same bill: ``Pull.NONE``
    another status, last told SUBMITTED ─▶ ``Pull.LEFT``
    anything else (a draft; a direct-mode organisation's bill) ─▶ ``Pull.NONE``
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from countersign_contracts import (
    LineAmountType,
    Supplier,
    TrackingSelection,
    XeroBill,
    XeroBillLine,
)

from countersign_publisher.domain.bypass import xero_date

__all__ = ["SUBMITTED", "Pull", "Pulled", "pull", "submitted_bill"]

Json = dict[str, Any]

SUBMITTED = "SUBMITTED"

_LINE_AMOUNT_TYPES = {
    "exclusive": LineAmountType.EXCLUSIVE,
    "inclusive": LineAmountType.INCLUSIVE,
    "notax": LineAmountType.NO_TAX,
}


class Pull(StrEnum):
    NONE = "none"
    TELL = "tell"  # BillSubmittedInXero
    LEFT = "left"  # BillLeftSubmittedInXero


@dataclass(frozen=True)
class Pulled:
    """What was last told about one bill: its version, the bill (JSON), the status it had."""

    version: int
    bill: Json
    status: str


def _text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _tracking(line: Json) -> list[TrackingSelection]:
    return [
        TrackingSelection(
            category=str(chosen.get("Name") or ""),
            option=str(chosen.get("Option") or ""),
            category_id=_text(chosen.get("TrackingCategoryID")),
            option_id=_text(chosen.get("TrackingOptionID")),
        )
        for chosen in line.get("Tracking") or []
    ]


def _line(line: Json) -> XeroBillLine:
    return XeroBillLine(
        line_item_id=_text(line.get("LineItemID")),
        description=str(line.get("Description") or ""),
        quantity=Decimal(str(line.get("Quantity") or "1")),
        unit_amount=Decimal(str(line.get("UnitAmount") or "0")),
        account_code=_text(line.get("AccountCode")),
        tax_type=_text(line.get("TaxType")),
        tax_amount=Decimal(str(line.get("TaxAmount") or "0")),
        line_amount=Decimal(str(line.get("LineAmount") or "0")),
        tracking=_tracking(line),
        item_code=_text(line.get("ItemCode")),
    )


def submitted_bill(invoice: Json) -> XeroBill:
    """The ACCPAY invoice as the contracts' ``XeroBill``; ``ValueError`` (pydantic's included)
    when Xero's record lacks what every submitted bill has (a contact, a date, a line)."""
    contact = invoice.get("Contact") or {}
    issued = xero_date(invoice.get("Date")) or xero_date(invoice.get("DateString"))
    if issued is None:
        raise ValueError("a submitted bill without its Date")
    amounts = str(invoice.get("LineAmountTypes") or "Exclusive").lower()
    return XeroBill(
        supplier=Supplier(
            name=str(contact.get("Name") or "")[:255] or "(no name)",
            xero_contact_id=_text(contact.get("ContactID")),
        ),
        invoice_number=_text(invoice.get("InvoiceNumber")),
        issue_date=issued,
        due_date=xero_date(invoice.get("DueDate")) or xero_date(invoice.get("DueDateString")),
        currency=str(invoice.get("CurrencyCode") or "").upper(),
        exchange_rate=_exchange_rate(invoice.get("CurrencyRate")),
        line_amount_type=_LINE_AMOUNT_TYPES[amounts],
        lines=[_line(line) for line in invoice.get("LineItems") or []],
        subtotal=Decimal(str(invoice.get("SubTotal") or "0")),
        total_tax=Decimal(str(invoice.get("TotalTax") or "0")),
        total=Decimal(str(invoice.get("Total") or "0")),
        url=_text(invoice.get("Url")),
        has_attachments=bool(invoice.get("HasAttachments")),
    )


def _exchange_rate(value: Any) -> Decimal | None:
    # Xero reports 1.0 for a bill in the base currency: no rate was given.
    rate = _text(value)
    return None if rate is None or Decimal(rate) == 1 else Decimal(rate)


def pull(status: str, via_xero: bool, bill: Json | None, last: Pulled | None) -> Pull:
    """What to tell about a bill now in ``status`` (``bill``: its ``XeroBill`` as JSON when
    SUBMITTED), given what was last told (None: nothing yet)."""
    if status == SUBMITTED:
        if not via_xero or bill is None:
            return Pull.NONE
        unchanged = last is not None and last.status == SUBMITTED and last.bill == bill
        return Pull.NONE if unchanged else Pull.TELL
    if last is not None and last.status == SUBMITTED:
        return Pull.LEFT
    return Pull.NONE
