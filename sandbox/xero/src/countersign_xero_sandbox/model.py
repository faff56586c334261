"""The state of one Xero organisation (tenant), held in memory.

Records are kept as dicts in Xero's own shape (PascalCase keys) with Python values inside:
``date`` for document dates, ``datetime`` for ``UpdatedDateUTC``, ``Decimal`` for amounts. The
wire layer turns them into Xero's JSON; ``where`` filters compare the Python values.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from countersign_xero_sandbox.currency_rates import RateTable

__all__ = ["Attachment", "Record", "Tenant", "contact_name", "name_key", "new_id"]

Record = dict[str, Any]


def new_id() -> str:
    return str(uuid.uuid4())


def contact_name(value: Any) -> str:
    """A contact name as Xero stores it: leading and trailing whitespace trimmed."""
    return str(value if value is not None else "").strip()


def name_key(value: Any) -> str:
    """What two contact names share when Xero counts them as the same name: the trimmed name,
    compared without regard to case."""
    return contact_name(value).casefold()


@dataclass
class Attachment:
    attachment_id: str
    file_name: str
    mime_type: str
    content: bytes
    include_online: bool = False


@dataclass
class CallCounts:
    total: int = 0
    rate_limited: int = 0
    rate_limited_by_problem: Counter[str] = field(default_factory=Counter)
    by_endpoint: Counter[str] = field(default_factory=Counter)


@dataclass
class Tenant:
    tenant_id: str
    organisation: Record
    base_currency: str
    currencies: dict[str, str]
    lock_date: date | None
    accounts: dict[str, Record] = field(default_factory=dict)
    tax_rates: dict[str, Record] = field(default_factory=dict)
    tracking_categories: dict[str, Record] = field(default_factory=dict)
    contacts: dict[str, Record] = field(default_factory=dict)
    invoices: dict[str, Record] = field(default_factory=dict)
    # Repeating invoice templates by RepeatingInvoiceID (repeating.py).
    repeating_invoices: dict[str, Record] = field(default_factory=dict)
    bank_transactions: dict[str, Record] = field(default_factory=dict)
    payments: dict[str, Record] = field(default_factory=dict)
    attachments: dict[str, list[Attachment]] = field(default_factory=dict)
    # History and notes per document id, oldest first (history.py).
    history: dict[str, list[Record]] = field(default_factory=dict)
    # Daily rates per foreign currency (currency_rates.py): what a document gets without a rate.
    rates: dict[str, RateTable] = field(default_factory=dict)
    calls: CallCounts = field(default_factory=CallCounts)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    invoice_sequence: int = 0

    def account_by_code(self, code: str) -> Record | None:
        return next((a for a in self.accounts.values() if a["Code"] == code), None)

    def account_by_ref(self, ref: Record) -> Record | None:
        if ref.get("AccountID"):
            return self.accounts.get(str(ref["AccountID"]))
        if ref.get("Code"):
            return self.account_by_code(str(ref["Code"]))
        return None

    def active_contact_named(self, name: str) -> Record | None:
        return self.contact_named(name, active_only=True)

    def contact_named(self, name: str, active_only: bool = False) -> Record | None:
        """The contact with this name (``name_key``), an ACTIVE one first."""
        wanted = name_key(name)
        same = [c for c in self.contacts.values() if name_key(c["Name"]) == wanted]
        active = [c for c in same if c["ContactStatus"] == "ACTIVE"]
        return next(iter(active if active_only else active + same), None)

    def contact_by_number(self, number: str) -> Record | None:
        return next((c for c in self.contacts.values() if c.get("ContactNumber") == number), None)
