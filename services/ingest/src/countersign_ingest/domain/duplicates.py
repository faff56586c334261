"""Likely duplicates at intake: does a cost item match another item of the organisation?

    (a) same supplier and document reference (invoice number)        same_invoice_number
    (b) same supplier, issue date, total and currency                 same_date_and_amount

Names and references are compared folded (Unicode NFKC, case-folded, letters and digits only:
"ACME Ltd." and "acme ltd" are one supplier, "INV-0042" and "inv 0042" one reference), totals
as Decimal values ("12.5" and "12.50" are one amount). Rule (a) needs a reference Dext sent:
the one ingest makes up for a receipt (``DEXT-<item id>``) names only its own item.

Only the *other* items count, and only while a bill may come of them: the version each shows is
open (received, in approval) or bound for or in Xero (authorised, published, failed
publishing). A republish of the same item is a new version, not a duplicate; a rejected,
withdrawn, cancelled or given-up item will not become a bill.

Bills in the organisation's Xero (ledger.bills.v1, ADR 0056) are candidates too, under the same
rules and keys (``keys_of``), except those a Countersign publication made (the item that made
one is already a candidate) and those voided or deleted.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from countersign_contracts import Bill, DuplicateReason, PossibleDuplicate, XeroBillDuplicate

from countersign_ingest.domain.items import ItemStatus

__all__ = [
    "DUPLICATE_CANDIDATE_STATUSES",
    "DuplicateKeys",
    "duplicate_keys",
    "folded",
    "keys_of",
    "possible_duplicates",
    "xero_bill_duplicates",
]

DUPLICATE_CANDIDATE_STATUSES = (
    ItemStatus.RECEIVED,
    ItemStatus.IN_APPROVAL,
    ItemStatus.AUTHORISED,
    ItemStatus.PUBLISHED,
    ItemStatus.PUBLISH_FAILED,
)
"""The shown version's statuses that make an item a candidate: a bill may still come of it."""

MAX_LISTED = 10  # a warning names a few; a long list helps nobody decide


def folded(text: str) -> str:
    """``text`` as compared: NFKC, case-folded, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def _amount(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


@dataclass(frozen=True)
class DuplicateKeys:
    """What two items must share to match: by reference (None when Dext sent none) and by
    date and amount (None when the supplier's name folds to nothing)."""

    reference: str | None
    amount: str | None


def duplicate_keys(bill: Bill, reference_sent: str | None) -> DuplicateKeys:
    """The keys of an item that becomes ``bill``; ``reference_sent`` is the document reference
    as Dext sent it (None for a receipt without one)."""
    return keys_of(bill.supplier.name, reference_sent, bill.issue_date, bill.currency, bill.total)


def keys_of(
    supplier_name: str, reference: str | None, issued: date, currency: str, total: Decimal
) -> DuplicateKeys:
    """The keys of any bill, a cost item's or one in Xero (``LedgerBillRecorded``: Contact
    Name, InvoiceNumber, Date, CurrencyCode, Total), folded alike so the two match."""
    supplier = folded(supplier_name)
    if not supplier:
        return DuplicateKeys(None, None)
    folded_reference = folded(reference or "")
    return DuplicateKeys(
        reference=f"{supplier}|{folded_reference}" if folded_reference else None,
        amount=f"{supplier}|{issued.isoformat()}|{currency.upper()}|{_amount(total)}",
    )


def possible_duplicates(
    matches: list[tuple[str, bool, bool]],
) -> list[PossibleDuplicate]:
    """``matches``: (other item, same reference, same date and amount), as the store found
    them; each other item once, with the first rule it matched."""
    found = [
        PossibleDuplicate(dext_item_id=item, reason=_reason(by_reference))
        for item, by_reference, by_amount in sorted(matches)
        if by_reference or by_amount
    ]
    return found[:MAX_LISTED]


def _reason(by_reference: bool) -> DuplicateReason:
    return (
        DuplicateReason.SAME_INVOICE_NUMBER
        if by_reference
        else DuplicateReason.SAME_DATE_AND_AMOUNT
    )


def xero_bill_duplicates(
    matches: list[tuple[UUID, str, str, bool, bool]],
) -> list[XeroBillDuplicate]:
    """``matches``: (Xero invoice id, invoice number, supplier name, same reference, same date
    and amount), as the store found them; each bill once, with the first rule it matched."""
    found = [
        XeroBillDuplicate(
            xero_invoice_id=invoice_id,
            invoice_number=number,
            contact_name=name,
            reason=_reason(by_reference),
        )
        for invoice_id, number, name, by_reference, by_amount in sorted(matches)
        if by_reference or by_amount
    ]
    return found[:MAX_LISTED]
