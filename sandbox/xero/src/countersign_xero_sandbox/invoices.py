"""Bills and sales invoices: create, upsert, status transitions (state machine below).

    DRAFT ⇄ SUBMITTED ──► AUTHORISED ──(paid in full)──► PAID
      │          │             │
      └──────────┴──► DELETED  └──(no payments)──► VOIDED

PAID is reached only through payments; PAID, VOIDED and DELETED are terminal (a paid bill still
accepts a few cosmetic edits).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from countersign_xero_sandbox.amounts import MAX_UNIT_DP, ZERO
from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.dates import parse_date
from countersign_xero_sandbox.documents import (
    PendingContacts,
    check_common,
    currency_rate,
    resolve_contact,
)
from countersign_xero_sandbox.history import record_received
from countersign_xero_sandbox.line_items import LINE_AMOUNT_TYPES, Lines, build_lines
from countersign_xero_sandbox.model import Record, Tenant, new_id

__all__ = ["INVALID_STATUS", "prepare_invoice"]

INVALID_STATUS = "Invoice not of valid status for modification"
HAS_PAYMENTS = "This document cannot be edited as it has a payment or credit note allocated to it."
TYPES = {"ACCPAY", "ACCREC"}
TRANSITIONS = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": {"PAID"},
    "VOIDED": {"VOIDED"},
    "DELETED": {"DELETED"},
}
# What may still change on a paid bill.
EDITABLE_WHEN_PAID = {
    "InvoiceID",
    "InvoiceNumber",
    "Type",
    "Status",
    "DueDate",
    "Url",
    "PlannedPaymentDate",
    "Contact",
    "Reference",
}
DOCUMENT_FIELDS = {"LineItems", "LineAmountTypes", "CurrencyCode", "Date", "Contact"}


NO_ID = "00000000-0000-0000-0000-000000000000"


def _date_field(raw: Record, key: str, errors: list[str]) -> date | None:
    if raw.get(key) in (None, ""):
        return None
    try:
        return parse_date(raw[key])
    except ValueError:
        errors.append(f"The {key} '{raw[key]}' is not a valid date.")
        return None


def _has_payments(tenant: Tenant, invoice_id: str) -> bool:
    return any(
        p["Invoice"]["InvoiceID"] == invoice_id and p["Status"] == "AUTHORISED"
        for p in tenant.payments.values()
    )


def _kind(merged: Record, errors: list[str]) -> str:
    kind = str(merged.get("Type") or "")
    if kind not in TYPES:
        errors.append("Invoice Type must be ACCPAY or ACCREC in this sandbox.")
    return kind


def _status_errors(tenant: Tenant, existing: Record | None, raw: Record, wanted: str) -> list[str]:
    if existing is None:
        return [] if wanted in {"DRAFT", "SUBMITTED", "AUTHORISED"} else [INVALID_STATUS]
    current = existing["Status"]
    if current == "PAID" and existing["Type"] == "ACCPAY":
        return [] if set(raw) <= EDITABLE_WHEN_PAID and wanted == "PAID" else [INVALID_STATUS]
    if wanted not in TRANSITIONS[current] or current in {"VOIDED", "DELETED"}:
        return [INVALID_STATUS]
    if (
        current == "AUTHORISED"
        and _has_payments(tenant, existing["InvoiceID"])
        and (wanted == "VOIDED" or DOCUMENT_FIELDS & set(raw))
    ):
        return [HAS_PAYMENTS]
    return []


def _check_discounts(kind: str, raw: Record, errors: list[str]) -> None:
    if kind == "ACCPAY" and any(
        isinstance(line, dict) and (line.get("DiscountRate") or line.get("DiscountAmount"))
        for line in raw.get("LineItems") or []
    ):
        errors.append("Discounts may not be applied to ACCPAY invoices.")


def _contact(
    tenant: Tenant,
    raw: Record,
    existing: Record | None,
    pending: PendingContacts,
    now: datetime,
    errors: list[str],
) -> Record | None:
    """The contact the element names; an update that names none keeps its own."""
    if existing is None or "Contact" in raw:
        return resolve_contact(tenant, raw.get("Contact"), pending, now, errors)
    return tenant.contacts.get(existing["Contact"]["ContactID"])


def _dates(
    raw: Record, existing: Record | None, now: datetime, errors: list[str]
) -> tuple[date, date | None]:
    """Date (on a create, today when not given) and DueDate; an update keeps those it omits."""
    day = _date_field(raw, "Date", errors) or (existing["Date"] if existing else now.date())
    due = (
        _date_field(raw, "DueDate", errors)
        if "DueDate" in raw
        else (existing.get("DueDate") if existing else None)
    )
    return day, due


def _lines(
    tenant: Tenant,
    raw: Record,
    existing: Record | None,
    amount_types: str,
    wanted: str,
    unit_places: int,
    errors: list[str],
) -> Lines:
    """The lines the element sends, else those stored; past DRAFT every line needs an account,
    and approving needs a line."""
    raw_lines = raw.get("LineItems", [])
    if existing is not None and "LineItems" not in raw:
        raw_lines = [
            {key: value for key, value in line.items() if key != "ValidationErrors"}
            for line in existing.get("LineItems", [])
        ]
        # Lines the request does not send keep the places they were stored with.
        unit_places = MAX_UNIT_DP
    lines = build_lines(tenant, raw_lines, amount_types, wanted != "DRAFT", unit_places, errors)
    if wanted in {"SUBMITTED", "AUTHORISED"} and not lines.items:
        errors.append("At least one line item is required to approve an invoice.")
    return lines


def _number(tenant: Tenant, kind: str, merged: Record, errors: list[str]) -> str:
    number = str(merged.get("InvoiceNumber") or "")
    if len(number) > 255:
        errors.append("The InvoiceNumber must not be longer than 255 characters.")
    if (
        kind == "ACCREC"
        and number
        and any(
            i["InvoiceNumber"] == number and i["InvoiceID"] != merged.get("InvoiceID")
            for i in tenant.invoices.values()
            if i["Type"] == "ACCREC"
        )
    ):
        errors.append("Invoice # must be unique.")
    return number


def _rate(
    tenant: Tenant,
    raw: Record,
    existing: Record | None,
    currency: str,
    day: date,
    errors: list[str],
) -> Decimal:
    given = raw.get("CurrencyRate")
    if given is None and existing is not None and "CurrencyRate" not in raw:
        # An update keeps its rate unless it moves the invoice to another currency or day.
        same = (existing["CurrencyCode"], existing["Date"]) == (currency, day)
        given = existing["CurrencyRate"] if same else None
    return currency_rate(tenant, given, currency, day, errors)


def _amount_due(wanted: str, total: Decimal, paid: Decimal) -> Decimal:
    # A voided invoice owes nothing (the spec's getInvoices example: VOIDED, Total 40.0,
    # AmountDue 0.00); voiding needs no payments, so nothing was paid either.
    return ZERO if wanted == "VOIDED" else total - paid


def _optional_fields(
    record: Record, merged: Record, existing: Record | None, errors: list[str]
) -> None:
    """The payment dates the element gives; the paid date and the template it keeps."""
    for optional in ("PlannedPaymentDate", "ExpectedPaymentDate"):
        if merged.get(optional):
            record[optional] = _date_field(merged, optional, errors)
    if existing is not None and existing.get("FullyPaidOnDate"):
        record["FullyPaidOnDate"] = existing["FullyPaidOnDate"]
    if existing is not None and existing.get("RepeatingInvoiceID"):
        # Made from a repeating template (repeating.py): it stays one.
        record["RepeatingInvoiceID"] = existing["RepeatingInvoiceID"]


def _assign_number(tenant: Tenant, record: Record) -> None:
    """A new sales invoice without a number takes the organisation's next one."""
    if record["Type"] == "ACCREC" and not record["InvoiceNumber"]:
        tenant.invoice_sequence += 1
        record["InvoiceNumber"] = f"INV-{tenant.invoice_sequence:04d}"


def _store(tenant: Tenant, record: Record, contact: Record | None) -> None:
    if contact is not None:
        if contact["ContactID"] not in tenant.contacts:
            tenant.contacts[contact["ContactID"]] = contact
        # Xero flips IsSupplier/IsCustomer without touching the contact's UpdatedDateUTC.
        contact["IsSupplier" if record["Type"] == "ACCPAY" else "IsCustomer"] = True
    if record["InvoiceID"] not in tenant.invoices:
        record_received(tenant, record)
    tenant.invoices[record["InvoiceID"]] = record


def _echo(record: Record, existing: Record | None, errors: list[str]) -> Record:
    """The element as answered: a refused create shows no InvoiceID of its own."""
    if not errors:
        return record
    return {**record, "InvoiceID": existing["InvoiceID"] if existing else NO_ID}


def prepare_invoice(
    tenant: Tenant,
    raw: Any,
    now: datetime,
    pending: PendingContacts,
    existing: Record | None,
    unit_places: int,
) -> Element:
    """Validates one element (a create when ``existing`` is None) and returns its commit;
    ``unit_places`` is what the request's ``unitdp`` allows for the lines it sends."""
    if not isinstance(raw, dict):
        return Element({}, ["An invoice must be a JSON object."])
    errors: list[str] = []
    merged: Record = {**(existing or {}), **raw}
    kind = _kind(merged, errors)
    wanted = str(raw.get("Status") or (existing["Status"] if existing else "DRAFT"))
    errors += _status_errors(tenant, existing, raw, wanted)
    _check_discounts(kind, raw, errors)
    contact = _contact(tenant, raw, existing, pending, now, errors)
    day, due = _dates(raw, existing, now, errors)
    document_changes = existing is None or bool(DOCUMENT_FIELDS & set(raw))
    currency = check_common(tenant, merged, day if document_changes else None, errors)
    amount_types = str(merged.get("LineAmountTypes") or "Exclusive")
    lines = _lines(tenant, raw, existing, amount_types, wanted, unit_places, errors)
    number = _number(tenant, kind, merged, errors)
    invoice_id = existing["InvoiceID"] if existing else str(raw.get("InvoiceID") or new_id())
    rate = _rate(tenant, raw, existing, currency, day, errors)
    paid = existing["AmountPaid"] if existing else ZERO
    record: Record = {
        "Type": kind,
        "InvoiceID": invoice_id,
        "InvoiceNumber": number,
        # Reference is ACCREC only; Xero ignores it on a bill, whose supplier reference is the
        # InvoiceNumber (XeroAPI/Xero-NetStandard#249, XeroAPI/xero-mcp-server#121).
        "Reference": str(merged.get("Reference") or "") if kind == "ACCREC" else "",
        "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]} if contact else {},
        "Date": day,
        "DueDate": due,
        "Status": wanted,
        "LineAmountTypes": amount_types if amount_types in LINE_AMOUNT_TYPES else "Exclusive",
        "LineItems": lines.items,
        "SubTotal": lines.sub_total,
        "TotalTax": lines.total_tax,
        "Total": lines.total,
        "TotalDiscount": ZERO,
        "CurrencyCode": currency,
        "CurrencyRate": rate,
        "AmountPaid": paid,
        "AmountDue": _amount_due(wanted, lines.total, paid),
        "AmountCredited": ZERO,
        "IsDiscounted": False,
        "SentToContact": False,
        "HasAttachments": bool(tenant.attachments.get(invoice_id)),
        "Url": str(merged.get("Url") or ""),
        "UpdatedDateUTC": now,
    }
    _optional_fields(record, merged, existing, errors)
    if not errors and existing is None:
        _assign_number(tenant, record)
    return Element(_echo(record, existing, errors), errors, lambda: _store(tenant, record, contact))
