"""What a mail shows of a bill: enough to decide from the inbox, nothing a mail need not carry
(no coding, no document, no payment)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from countersign_contracts import Bill
from pydantic import BaseModel

__all__ = ["BillLine", "BillSummary", "money"]


class BillLine(BaseModel):
    description: str
    quantity: Decimal
    line_amount: Decimal


class BillSummary(BaseModel):
    supplier: str
    reference: str
    currency: str
    total: Decimal
    issue_date: date
    due_date: date
    lines: list[BillLine]

    @classmethod
    def of(cls, bill: Bill) -> BillSummary:
        return cls(
            supplier=bill.supplier.name,
            reference=bill.document_reference,
            currency=bill.currency,
            total=bill.total,
            issue_date=bill.issue_date,
            due_date=bill.due_date,
            lines=[
                BillLine(
                    description=line.description,
                    quantity=line.quantity,
                    line_amount=line.line_amount,
                )
                for line in bill.lines
            ],
        )

    @property
    def amount(self) -> str:
        return money(self.currency, self.total)


def money(currency: str, amount: Decimal) -> str:
    """``GBP 1,234.50``: the amount as sent (its currency's places), grouped by thousands."""
    return f"{currency} {amount:,}"
