"""Countersign's bill and bank transaction as Xero's JSON, and Xero's formats read back (pure;
no IO).

Amounts stay ``Decimal`` and are written as exact JSON numbers (``decimal_json``). Unit prices
may carry four decimal places, so every create is sent with ``unitdp=4``: without it Xero would
round them to two before computing the line, and the bill would no longer add up to what was
approved.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from countersign_contracts import (
    BankAccount,
    BankTransactionSubmitted,
    Bill,
    ContactStatus,
    LineAmountType,
    LineItem,
    SupplierSynced,
)

__all__ = [
    "Json",
    "element_failed",
    "operation_name",
    "parse_xero_datetime",
    "supplier_synced",
    "where_text",
    "xero_account",
    "xero_bank_transaction",
    "xero_bill",
    "xero_contact_name",
    "xero_file_name",
    "xero_payment",
]

Json = dict[str, Any]

_LINE_AMOUNT_TYPES = {
    LineAmountType.EXCLUSIVE: "Exclusive",
    LineAmountType.INCLUSIVE: "Inclusive",
    LineAmountType.NO_TAX: "NoTax",
}


def _line(line: LineItem) -> Json:
    tracking = []
    for chosen in line.tracking:
        entry: Json = {"Name": chosen.category, "Option": chosen.option}
        if chosen.category_id is not None:
            entry["TrackingCategoryID"] = str(chosen.category_id)
        if chosen.option_id is not None:
            entry["TrackingOptionID"] = str(chosen.option_id)
        tracking.append(entry)
    xero: Json = {
        "Description": line.description,
        "Quantity": line.quantity,
        "UnitAmount": line.unit_amount,
        "AccountCode": line.account_code,
        "TaxType": line.tax_type,
        "TaxAmount": line.tax_amount,
        "LineAmount": line.line_amount,
    }
    if tracking:
        xero["Tracking"] = tracking
    if line.item_code:
        xero["ItemCode"] = line.item_code
    return xero


def xero_contact_name(name: str) -> str:
    """The name as Xero stores it: Xero trims a contact's name (and compares names without
    regard to case), so a lookup with Dext's "Trailing Co " would find nothing."""
    return name.strip()


def xero_account(account: BankAccount) -> Json:
    if account.account_id is not None:
        return {"AccountID": str(account.account_id)}
    return {"Code": account.code}


def xero_bill(bill: Bill, contact_id: UUID, url: str) -> Json:
    invoice: Json = {
        "Type": "ACCPAY",
        "Status": "AUTHORISED",
        "Contact": {"ContactID": str(contact_id)},
        "InvoiceNumber": bill.document_reference,
        "Date": bill.issue_date.isoformat(),
        "DueDate": bill.due_date.isoformat(),
        "CurrencyCode": bill.currency,
        "LineAmountTypes": _LINE_AMOUNT_TYPES[bill.line_amount_type],
        "LineItems": [_line(line) for line in bill.lines],
        "Url": url,
    }
    if bill.exchange_rate is not None:
        invoice["CurrencyRate"] = bill.exchange_rate
    return invoice


def xero_payment(bill: Bill, invoice_id: UUID) -> Json:
    assert bill.payment.account is not None  # the contract requires it when paid
    return {
        "Invoice": {"InvoiceID": str(invoice_id)},
        "Account": xero_account(bill.payment.account),
        "Date": (bill.payment.paid_on or bill.issue_date).isoformat(),
        "Amount": bill.total,
    }


def xero_bank_transaction(item: BankTransactionSubmitted, contact_id: UUID, url: str) -> Json:
    transaction: Json = {
        "Type": "SPEND",
        "Status": "AUTHORISED",
        "Contact": {"ContactID": str(contact_id)},
        "BankAccount": xero_account(item.bank_account),
        "Date": item.transaction_date.isoformat(),
        "CurrencyCode": item.currency,
        "LineAmountTypes": _LINE_AMOUNT_TYPES[item.line_amount_type],
        "LineItems": [_line(line) for line in item.lines],
        "Url": url,
    }
    if item.reference:
        transaction["Reference"] = item.reference
    if item.exchange_rate is not None:
        transaction["CurrencyRate"] = item.exchange_rate
    return transaction


_UNSAFE_FILE_NAME = re.compile(r'[<>:"/\\|?*+\x00]')


def xero_file_name(name: str) -> str:
    """A file name Xero accepts for an attachment: its reserved characters replaced."""
    return _UNSAFE_FILE_NAME.sub("_", name)


_MS_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{2,4})?\)/")


def where_text(value: str) -> str:
    """``value`` as a string literal of Xero's ``where`` filter (.NET Dynamic LINQ): a quote is
    written twice; a backslash is an ordinary character."""
    return '"' + value.replace('"', '""') + '"'


def parse_xero_datetime(value: str | None) -> datetime | None:
    """Xero's MS-JSON ``/Date(ms+0000)/`` or an ISO string, as an aware UTC datetime."""
    if not value:
        return None
    match = _MS_DATE.fullmatch(value)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def element_failed(element: Json) -> list[str] | None:
    """Xero's messages when it refused one element of a batch (or one record); else None."""
    if element.get("HasErrors") or element.get("StatusAttributeString") == "ERROR":
        return [str(e.get("Message")) for e in element.get("ValidationErrors") or ()] or [
            "Xero refused the bill"
        ]
    return None


def supplier_synced(contact: Json) -> SupplierSynced:
    """A Xero contact as the supplier event (``UpdatedDateUTC`` is required by the contract)."""
    status = str(contact.get("ContactStatus") or "ACTIVE")
    updated = parse_xero_datetime(contact.get("UpdatedDateUTC"))
    if updated is None:
        raise ValueError("contact without UpdatedDateUTC")
    return SupplierSynced(
        xero_contact_id=UUID(str(contact["ContactID"])),
        name=str(contact["Name"])[:255],
        status=ContactStatus(status)
        if status in ContactStatus.__members__.values()
        else (ContactStatus.ACTIVE),
        contact_number=(contact.get("ContactNumber") or None),
        tax_number=(contact.get("TaxNumber") or None),
        default_currency=(contact.get("DefaultCurrency") or None),
        purchases_default_account_code=(contact.get("PurchasesDefaultAccountCode") or None),
        xero_updated_at=updated,
    )


def operation_name(method: str, path: str) -> str:
    """The call's span name: Xero's operation, its ids and file names left out
    (``Xero PUT /Invoices/{id}/Attachments/{name}``)."""
    parts = path.split("/")
    for n, part in enumerate(parts):
        if n and parts[n - 1] == "Attachments":
            parts[n] = "{name}"
        elif len(part) == 36 and part.count("-") == 4:
            parts[n] = "{id}"
    return f"Xero {method} {'/'.join(parts)}"
