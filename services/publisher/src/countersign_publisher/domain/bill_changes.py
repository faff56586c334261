"""A published bill as its ledger has it now, against what was approved (ADRs 0054, 0072;
pure, no IO). Both sides are ledger-neutral ``BillState``s: each ledger's reading maps its
record into one (Xero: ``handlers/bill_changes.xero_state``; QBO: ``adapters/qbo_changes``),
and what was approved is mapped by the rules that created the bill. Only the watched fields
count:

    contact     the supplier's id (shown by name)   currency    the currency code
    total       the bill's total                     status      only when VOIDED or DELETED
    department  QBO's DepartmentRef (by name)        lines       their count; and each line's
                                                                 account_code, tax_type,
                                                                 tracking, line_amount

Everything else a ledger changes on a bill — what Countersign itself writes after creating it
(attachments, notes, the payment that pays it), and the ledger's own bookkeeping (update times,
balances, SyncToken) — is not a change. A field a state does not say (None: a record read
without its lines, a deleted QBO bill first seen as deleted) tells nothing of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "BillLine",
    "BillState",
    "Difference",
    "amount_text",
    "differences",
    "newly_different",
    "tracking_text",
]

Json = dict[str, Any]

STATUSES_WATCHED = frozenset({"VOIDED", "DELETED"})

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Difference:
    field: str
    approved: str | None
    now: str | None


@dataclass(frozen=True)
class BillLine:
    description: str = ""
    line_amount: str | None = None  # a decimal string, as the ledger wrote it
    account_code: str = ""
    tax_type: str = ""
    tracking: str = ""  # 'Category: Option' joined by '; ' (``tracking_text``)


@dataclass(frozen=True)
class BillState:
    """A bill in a ledger's terms, as the comparison reads it; ``None``: not said."""

    status: str  # in Xero's words: AUTHORISED, PAID, VOIDED, DELETED…
    contact_id: str | None = None
    contact_name: str | None = None
    total: str | None = None
    currency: str | None = None
    department: str | None = None  # QBO only: the bill's DepartmentRef, by name
    lines: tuple[BillLine, ...] | None = None

    def to_json(self) -> Json:
        return asdict(self)

    @classmethod
    def from_json(cls, value: Json) -> BillState:
        lines = value.get("lines")
        return cls(
            **{k: v for k, v in value.items() if k != "lines"},
            lines=None if lines is None else tuple(BillLine(**line) for line in lines),
        )


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def amount_text(value: Any) -> str | None:
    """An amount as a decimal string with at least the cents (110 reads 110.00)."""
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


def tracking_text(chosen: Sequence[tuple[Any, Any]]) -> str:
    """Tracking as 'Category: Option' joined by '; ', sorted by category name."""
    pairs = sorted((_text(name), _text(option)) for name, option in chosen)
    return "; ".join(f"{name}: {option}" for name, option in pairs)


def _line_summary(line: BillLine) -> str:
    parts = [line.description, amount_text(line.line_amount) or ""]
    parts += [line.account_code, line.tax_type]
    return " / ".join(p for p in parts if p)


def _line_differences(index: int, approved: BillLine, now: BillLine) -> list[Difference]:
    field = f"lines[{index}]."
    found = []
    for name in ("account_code", "tax_type"):
        was, is_now = getattr(approved, name), getattr(now, name)
        if was.upper() != is_now.upper():
            found.append(Difference(field + name, was, is_now))
    if approved.tracking.lower() != now.tracking.lower():
        found.append(Difference(field + "tracking", approved.tracking, now.tracking))
    if not _same_amount(approved.line_amount, now.line_amount):
        was_amount, now_amount = amount_text(approved.line_amount), amount_text(now.line_amount)
        found.append(Difference(field + "line_amount", was_amount, now_amount))
    return found


def _lines(approved: Sequence[BillLine], now: Sequence[BillLine]) -> list[Difference]:
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


def _header(approved: BillState, now: BillState) -> list[Difference]:
    found = []
    if now.contact_id is not None and _text(approved.contact_id).lower() != now.contact_id.lower():
        found.append(Difference("contact", approved.contact_name, now.contact_name or None))
    if now.total is not None and not _same_amount(approved.total, now.total):
        found.append(Difference("total", amount_text(approved.total), amount_text(now.total)))
    currency = _text(approved.currency).upper()
    if now.currency is not None and currency != now.currency.upper():
        found.append(Difference("currency", currency, now.currency))
    if now.status.upper() in STATUSES_WATCHED:
        found.append(Difference("status", approved.status, now.status.upper()))
    said = now.lines is not None  # the department is said with the whole record
    if said and _text(approved.department).casefold() != _text(now.department).casefold():
        found.append(Difference("department", approved.department, now.department))
    return found


def differences(approved: BillState, now: BillState) -> list[Difference]:
    """Every watched field of ``now`` that differs from what was approved, in a fixed order."""
    found = _header(approved, now)
    if now.lines is not None and approved.lines is not None:
        found += _lines(approved.lines, now.lines)
    return found


def newly_different(
    approved: BillState, previous: BillState | None, current: BillState
) -> list[Difference]:
    """The differences to report for ``current``: none when it matches what was approved,
    and none when the state kept before it differed in exactly the same way (an unrelated
    update, or one of Countersign's own writes)."""
    now = differences(approved, current)
    if not now:
        return []
    if previous is not None and differences(approved, previous) == now:
        return []
    return now
