"""The values a ledger answers the publication steps with, in the ledger's neutral terms.

Ids are the ledger's own, opaque text (Xero's are UUIDs, QBO's digits), stored and announced as
text (ADR 0068).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from countersign_contracts import Bill, LedgerMasterDataSynced

__all__ = [
    "CUT",
    "BillStatus",
    "ContactsPage",
    "LedgerAttachment",
    "LedgerBill",
    "LedgerContact",
    "LedgerExpense",
    "LedgerId",
    "LedgerPayment",
    "LedgerRecord",
    "MasterDataRead",
    "NewBill",
    "RecordKind",
    "Refusal",
]

LedgerId = str
Record = dict[str, Any]

CUT = "…"
"""How a ledger that must shorten a note to keep it ends it (its first words, then this): the
notes step then recognises it as the note it was."""


class BillStatus(StrEnum):
    """The bill's life as the steps reason about it (named as Xero names it; an adapter maps
    its own: QBO's open bill is AUTHORISED, its paid one PAID)."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    AUTHORISED = "AUTHORISED"
    PAID = "PAID"
    DELETED = "DELETED"
    VOIDED = "VOIDED"


class RecordKind(StrEnum):
    BILL = "bill"
    EXPENSE = "expense"  # Xero: a SPEND bank transaction; QBO: a Purchase


@dataclass(frozen=True)
class LedgerRecord:
    """The record files are attached to."""

    kind: RecordKind
    record_id: LedgerId


@dataclass(frozen=True)
class NewBill:
    """A bill to create: the approved bill, to the resolved contact, carrying the publication's
    marker (ADR 0035) by which a bill sent before is found again."""

    bill: Bill
    contact_id: LedgerId
    marker: str


@dataclass(frozen=True)
class LedgerBill:
    bill_id: LedgerId
    status: str
    contact_id: LedgerId | None
    number: str | None
    total: Decimal | None  # None: the ledger did not say
    currency: str | None
    marker: str | None = None
    record: Record = field(default_factory=dict, repr=False, compare=False)
    """The ledger's own record, for the adapter that read it (never read by the steps)."""


@dataclass(frozen=True)
class Refusal:
    """One bill of a batch the ledger refused, and why."""

    messages: list[str]


@dataclass(frozen=True)
class LedgerAttachment:
    attachment_id: LedgerId
    file_name: str
    size_bytes: int


@dataclass(frozen=True)
class LedgerPayment:
    payment_id: LedgerId
    amount: Decimal | None
    bill_status: str | None  # the bill's status after the payment, when the ledger said


@dataclass(frozen=True)
class LedgerExpense:
    expense_id: LedgerId
    status: str
    total: Decimal | None


@dataclass(frozen=True)
class LedgerContact:
    """A contact (Xero) or vendor (QBO). ``details`` is the ledger's record as it came: the
    contact cache keeps it, and ``Ledger.supplier`` reads the supplier event from it."""

    contact_id: LedgerId
    name: str
    status: str
    updated_at: datetime | None
    is_supplier: bool
    details: Record


@dataclass(frozen=True)
class ContactsPage:
    contacts: list[LedgerContact]
    more: bool


@dataclass(frozen=True)
class MasterDataRead:
    """One read of the master data. ``accounts_read`` False: the chart did not change since
    ``accounts_since`` and ``snapshot.accounts`` is empty (the stored chart stands)."""

    snapshot: LedgerMasterDataSynced
    accounts_read: bool
    accounts_changed_at: datetime | None
