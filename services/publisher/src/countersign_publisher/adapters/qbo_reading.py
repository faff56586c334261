"""QuickBooks Online's answers as the ledger port's values (pure; no IO): ids as text, amounts
as exact ``Decimal``s, the record kept for the adapter (ADR 0065).

QBO has no bill status. A bill is AUTHORISED (QBO's "Open") until its Balance is 0, then PAID
(a partly paid bill stays AUTHORISED, as in Xero); a deleted one is DELETED. A vendor is every
contact's kind in QBO, so every vendor is a supplier; an inactive one is ARCHIVED.

The bill's and the expense's ``PrivateNote`` holds the publication's marker on its first line
and the notes added to the bill's history on the lines after it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from countersign_contracts import ContactStatus, Ledger, SupplierSynced

from countersign_publisher.adapters.qbo_errors import fault_errors, fault_messages
from countersign_publisher.adapters.qbo_mapping import Json, qbo_uuid
from countersign_publisher.ledger.values import (
    CUT,
    BillStatus,
    LedgerAttachment,
    LedgerBill,
    LedgerContact,
    LedgerExpense,
    LedgerPayment,
    Refusal,
)

__all__ = [
    "PAYMENT_LINKS",
    "bill_status",
    "marker_of",
    "notes_of",
    "parse_qbo_datetime",
    "read_attachment",
    "read_batch_item",
    "read_bill",
    "read_contact",
    "read_expense",
    "read_payment",
    "supplier_synced",
    "with_notes",
]

PAYMENT_LINKS = ("BillPaymentCheck", "BillPaymentCreditCard")


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _ref(raw: Json, key: str) -> str | None:
    ref = raw.get(key)
    return _text(ref.get("value")) if isinstance(ref, dict) else None


def parse_qbo_datetime(value: Any) -> datetime | None:
    """QBO's ISO times (with their offset, Pacific) as aware UTC datetimes."""
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _updated(raw: Json) -> datetime | None:
    return parse_qbo_datetime((raw.get("MetaData") or {}).get("LastUpdatedTime"))


def marker_of(private_note: Any) -> str | None:
    return _text(str(private_note or "").split("\n", 1)[0])


def notes_of(private_note: Any) -> list[str]:
    """The notes below the marker, one a line."""
    lines = str(private_note or "").split("\n")[1:]
    return [line for line in lines if line]


PRIVATE_NOTE_MAX = 4000  # Intuit's limit on a transaction's memo


def with_notes(private_note: Any, notes: list[str]) -> str:
    """The PrivateNote with ``notes`` added below what it holds (each note on one line). When
    they would not fit in the memo's 4,000 characters, each note longer than an equal share of
    the room left keeps its first words to that length, ending in ``CUT``."""
    held = str(private_note or "")
    added = [" ".join(note.split()) for note in notes]
    room = PRIVATE_NOTE_MAX - len(held) - len(added)  # a line break before each note
    if added and sum(map(len, added)) > room:
        share = max(2, room // len(added))
        added = [a if len(a) <= share else a[: share - 1].rstrip() + CUT for a in added]
    return "\n".join([held, *added])


def bill_status(raw: Json) -> str:
    if raw.get("status") == "Deleted":
        return BillStatus.DELETED.value
    total, balance = _amount(raw.get("TotalAmt")), _amount(raw.get("Balance"))
    if balance is not None and balance == 0 and total:
        return BillStatus.PAID.value
    return BillStatus.AUTHORISED.value


def read_bill(raw: Json) -> LedgerBill:
    return LedgerBill(
        bill_id=str(raw["Id"]),
        status=bill_status(raw),
        contact_id=_ref(raw, "VendorRef"),
        number=_text(raw.get("DocNumber")),
        total=_amount(raw.get("TotalAmt")),
        currency=_ref(raw, "CurrencyRef"),
        marker=marker_of(raw.get("PrivateNote")),
        record=raw,
    )


def read_batch_item(answer: Json) -> LedgerBill | Refusal:
    """One ``BatchItemResponse``: the bill created, or the Fault that refused it."""
    found = fault_errors(answer)
    if found is not None:
        return Refusal(fault_messages(found[1]) or ["QuickBooks Online refused the bill"])
    if not answer.get("Bill"):
        return Refusal(["QuickBooks Online returned no bill"])
    return read_bill(dict(answer["Bill"]))


def read_contact(raw: Json) -> LedgerContact:
    return LedgerContact(
        contact_id=str(raw["Id"]),
        name=str(raw.get("DisplayName") or ""),
        status="ACTIVE" if raw.get("Active", True) else "ARCHIVED",
        updated_at=_updated(raw),
        is_supplier=True,
        details=raw,
    )


def read_attachment(raw: Json) -> LedgerAttachment:
    return LedgerAttachment(
        attachment_id=str(raw["Id"]),
        file_name=str(raw.get("FileName") or ""),
        size_bytes=int(raw.get("Size") or 0),
    )


def read_payment(raw: Json, bill_status: str | None) -> LedgerPayment:
    return LedgerPayment(
        payment_id=str(raw["Id"]), amount=_amount(raw.get("TotalAmt")), bill_status=bill_status
    )


def read_expense(raw: Json) -> LedgerExpense:
    return LedgerExpense(
        expense_id=str(raw["Id"]), status="AUTHORISED", total=_amount(raw.get("TotalAmt"))
    )


def supplier_synced(organisation_id: UUID, vendor: Json) -> SupplierSynced:
    """A vendor as the supplier event; ``xero_contact_id`` (a required uuid in v1) holds the
    name-based stand-in, ``ledger_contact_id`` the vendor's Id."""
    updated = _updated(vendor)
    if updated is None:
        raise ValueError("vendor without MetaData.LastUpdatedTime")
    account_number = _text(vendor.get("AcctNum"))
    return SupplierSynced(
        xero_contact_id=qbo_uuid(organisation_id, "contact", str(vendor["Id"])),
        ledger=Ledger.QBO,
        ledger_contact_id=str(vendor["Id"]),
        name=str(vendor.get("DisplayName") or vendor["Id"])[:255],
        status=ContactStatus.ACTIVE if vendor.get("Active", True) else ContactStatus.ARCHIVED,
        contact_number=account_number[:50] if account_number else None,
        tax_number=None,  # QBO masks TaxIdentifier in every answer
        default_currency=_ref(vendor, "CurrencyRef"),
        purchases_default_account_code=None,
        xero_updated_at=updated,
    )
