"""A published bill as Xero has it now, against what was approved (ADR 0054; pure, no IO).

What was approved is the publication's document mapped to Xero's terms by the very mapping
that created the bill (``xero_bill``, applied by ``handlers/bill_changes.py``); what Xero has
is the invoice as kept (``stored_form``: amounts as decimal strings). Only the watched fields count:

    contact   the ContactID (shown by name)      currency   CurrencyCode
    total     Total                              status     only when VOIDED or DELETED
    lines     their count; and each line's account_code, tax_type, tracking, line_amount

Everything else Xero changes on a bill — what Countersign itself writes after creating it
(attachments, history notes, the payment that makes it PAID), and Xero's own bookkeeping
(UpdatedDateUTC, AmountDue, HasAttachments) — is not a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["Approved", "Difference", "differences", "newly_different"]

Json = dict[str, Any]

STATUSES_WATCHED = frozenset({"VOIDED", "DELETED"})

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Difference:
    field: str
    approved: str | None
    now: str | None


@dataclass(frozen=True)
class Approved:
    """The approved bill in Xero's terms, as the publisher sent it: ``invoice`` as ``xero_bill``
    wrote it, ``total`` the approved total (Xero computes its own), the contact's name."""

    invoice: Json
    total: Decimal
    contact_name: str


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _amount(value: Any) -> str | None:
    """An amount as a decimal string with at least the cents (Xero's 110 reads 110.00)."""
    number = _decimal(value)
    if number is None:
        return None if value is None else str(value)
    cents = number.quantize(_CENT)
    return str(cents) if cents == number else format(number, "f")


def _same_amount(approved: Any, now: Any) -> bool:
    a, n = _decimal(approved), _decimal(now)
    return a is not None and a == n


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _tracking(line: Json) -> str:
    """A line's tracking as 'Category: Option' joined by '; ', by category name."""
    chosen = sorted(
        (_text(t.get("Name")), _text(t.get("Option"))) for t in line.get("Tracking") or ()
    )
    return "; ".join(f"{name}: {option}" for name, option in chosen)


def _line_summary(line: Json) -> str:
    parts = [_text(line.get("Description")), _amount(line.get("LineAmount")) or ""]
    parts += [_text(line.get("AccountCode")), _text(line.get("TaxType"))]
    return " / ".join(p for p in parts if p)


def _line_differences(index: int, approved: Json, now: Json) -> list[Difference]:
    field = f"lines[{index}]."
    found = []
    for name, key in (("account_code", "AccountCode"), ("tax_type", "TaxType")):
        if _text(approved.get(key)).upper() != _text(now.get(key)).upper():
            found.append(Difference(field + name, _text(approved.get(key)), _text(now.get(key))))
    if _tracking(approved).lower() != _tracking(now).lower():
        found.append(Difference(field + "tracking", _tracking(approved), _tracking(now)))
    if not _same_amount(approved.get("LineAmount"), now.get("LineAmount")):
        approved_amount, now_amount = approved.get("LineAmount"), now.get("LineAmount")
        found.append(
            Difference(field + "line_amount", _amount(approved_amount), _amount(now_amount))
        )
    return found


def _lines(approved: Sequence[Json], now: Sequence[Json]) -> list[Difference]:
    found = []
    if len(approved) != len(now):
        found.append(Difference("lines", str(len(approved)), str(len(now))))
    for index in range(max(len(approved), len(now))):
        if index >= len(now):
            found.append(Difference(f"lines[{index}]", _line_summary(approved[index]), None))
        elif index >= len(approved):
            found.append(Difference(f"lines[{index}]", None, _line_summary(now[index])))
        else:
            found += _line_differences(index, approved[index], now[index])
    return found


def _contact(approved: Approved, invoice: Json) -> list[Difference]:
    contact = invoice.get("Contact") or {}
    approved_id = _text(approved.invoice["Contact"]["ContactID"]).lower()
    if approved_id == _text(contact.get("ContactID")).lower():
        return []
    return [Difference("contact", approved.contact_name, _text(contact.get("Name")) or None)]


def differences(approved: Approved, invoice: Json) -> list[Difference]:
    """Every watched field of ``invoice`` (as Xero has it) that differs from what was
    approved, in a fixed order."""
    found = _contact(approved, invoice)
    if not _same_amount(approved.total, invoice.get("Total")):
        found.append(Difference("total", _amount(approved.total), _amount(invoice.get("Total"))))
    currency = _text(approved.invoice["CurrencyCode"]).upper()
    if currency != _text(invoice.get("CurrencyCode")).upper():
        found.append(Difference("currency", currency, _text(invoice.get("CurrencyCode"))))
    status = _text(invoice.get("Status")).upper()
    if status in STATUSES_WATCHED:
        found.append(Difference("status", str(approved.invoice["Status"]), status))
    if "LineItems" in invoice:  # a record read without its lines tells nothing of them
        found += _lines(approved.invoice["LineItems"], invoice["LineItems"] or [])
    return found


def newly_different(approved: Approved, previous: Json | None, current: Json) -> list[Difference]:
    """The differences to report for ``current``: none when it matches what was approved,
    and none when the state kept before it differed in exactly the same way (an unrelated
    update, or one of Countersign's own writes)."""
    now = differences(approved, current)
    if not now:
        return []
    if previous is not None and differences(approved, previous) == now:
        return []
    return now
