"""The bills in an organisation's Xero, announced on ledger.bills.v1 (ADR 0056; pure, no IO).

    a newer state of an INVOICE kept ─▶ read as a bill (ACCPAY; ``bypass.xero_bill``)
    ─▶ DRAFT, SUBMITTED, AUTHORISED or PAID, and new, or its number, supplier, date, total,
       currency or status differs from the state kept before ─▶ ``Recorded``
    ─▶ VOIDED or DELETED, while the state kept before was announced ─▶ ``Removed``
    ─▶ else (an attachment, a history note, a part payment: none of those fields moved) nothing

Ingest adds the announced bills to its likely-duplicate candidates (ADR 0052), which is why
only the fields of its rules count as a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from countersign_publisher.domain.bypass import OutsideBill, xero_bill

__all__ = ["ANNOUNCED_STATUSES", "REMOVED_STATUSES", "Announcement", "announcement"]

ANNOUNCED_STATUSES = frozenset({"DRAFT", "SUBMITTED", "AUTHORISED", "PAID"})
"""A bill in Xero, whatever came of it since."""

REMOVED_STATUSES = frozenset({"VOIDED", "DELETED"})
"""No longer a bill: it cannot be paid, and a copy of it is no duplicate."""


@dataclass(frozen=True)
class Announcement:
    """What to say of a bill: it is as ``bill`` reads (``recorded``), or it was removed."""

    kind: Literal["recorded", "removed"]
    bill: OutsideBill


def _announced(bill: OutsideBill | None) -> bool:
    return bill is not None and bill.status in ANNOUNCED_STATUSES


def _compared(bill: OutsideBill) -> tuple[object, ...]:
    return (
        bill.number,
        bill.contact_id,
        bill.contact_name,
        bill.bill_date,
        bill.total,  # Decimal: "12.5" and "12.50" are one total
        bill.currency,
        bill.status,
    )


def announcement(previous: dict[str, Any] | None, current: dict[str, Any]) -> Announcement | None:
    """What the change from ``previous`` (the state kept before, if any) to ``current`` is
    worth announcing; None when nothing ingest's rules read has moved."""
    now = xero_bill(current)
    before = None if previous is None else xero_bill(previous)
    if _announced(now):
        assert now is not None
        if before is None or not _announced(before) or _compared(before) != _compared(now):
            return Announcement("recorded", now)
        return None
    if now is not None and now.status in REMOVED_STATUSES and _announced(before):
        return Announcement("removed", now)
    return None
