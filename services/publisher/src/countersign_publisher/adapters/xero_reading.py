"""Xero's answers as the ledger port's values (pure; no IO): the ids as text, the amounts as
exact ``Decimal``s, the record itself kept for the adapter (ADR 0065)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from countersign_publisher.adapters.xero_mapping import Json, parse_xero_datetime
from countersign_publisher.ledger.values import (
    LedgerAttachment,
    LedgerBill,
    LedgerContact,
    LedgerExpense,
    LedgerPayment,
)

__all__ = [
    "active",
    "read_attachment",
    "read_bill",
    "read_contact",
    "read_expense",
    "read_payment",
]


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def read_contact(raw: Json) -> LedgerContact:
    return LedgerContact(
        contact_id=str(raw["ContactID"]),
        name=str(raw.get("Name") or ""),
        status=str(raw.get("ContactStatus") or "ACTIVE"),
        updated_at=parse_xero_datetime(raw.get("UpdatedDateUTC")),
        is_supplier=bool(raw.get("IsSupplier")),
        details=raw,
    )


def active(raw: Json) -> bool:
    return bool(raw.get("ContactStatus", "ACTIVE") == "ACTIVE")


def read_bill(raw: Json) -> LedgerBill:
    return LedgerBill(
        bill_id=str(raw["InvoiceID"]),
        status=str(raw.get("Status") or ""),
        contact_id=_text((raw.get("Contact") or {}).get("ContactID")),
        number=_text(raw.get("InvoiceNumber")),
        total=_amount(raw.get("Total")),
        currency=_text(raw.get("CurrencyCode")),
        marker=_text(raw.get("Url")),
        record=raw,
    )


def read_attachment(raw: Json) -> LedgerAttachment:
    return LedgerAttachment(
        attachment_id=str(raw["AttachmentID"]),
        file_name=str(raw.get("FileName") or ""),
        size_bytes=int(raw.get("ContentLength") or 0),
    )


def read_payment(raw: Json) -> LedgerPayment:
    return LedgerPayment(
        payment_id=str(raw["PaymentID"]),
        amount=_amount(raw.get("Amount")),
        bill_status=_text((raw.get("Invoice") or {}).get("Status")),
    )


def read_expense(raw: Json) -> LedgerExpense:
    return LedgerExpense(
        expense_id=str(raw["BankTransactionID"]),
        status=str(raw.get("Status") or "AUTHORISED"),
        total=_amount(raw.get("Total")),
    )
