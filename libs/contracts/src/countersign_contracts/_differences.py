"""One field of a published bill that differs in its ledger from what was approved
(``BillChangedInXero.differences``), and how a person reads its name."""

from __future__ import annotations

import re

from pydantic import Field

from countersign_contracts._base import ContractModel

__all__ = ["XeroDifference"]

_LABELS = {"total": "Total", "contact": "Supplier", "currency": "Currency", "status": "Status",
           "lines": "Number of lines", "department": "Department"}  # fmt: skip
_LINE_FIELD = re.compile(r"lines\[(\d+)\](?:\.(\w+))?")


class XeroDifference(ContractModel):
    """One watched field of a published bill that differs in its ledger (Xero, or QuickBooks
    Online: ledger "qbo") from what was approved."""

    field: str = Field(
        min_length=1,
        max_length=255,
        description=(
            "total, contact, currency, status, lines (their count), department (QBO: the"
            " Bill's DepartmentRef), or a line's field: lines[0].account_code,"
            " lines[0].tax_type, lines[0].tracking (QBO: the line's ClassRef as 'Class: Name'),"
            " lines[0].line_amount (0-based, in the bill's order)"
        ),
    )
    approved: str | None = Field(
        max_length=2000,
        description=(
            "As approved, in the ledger's terms (the codes Dext uses): amounts as decimal"
            " strings, the contact's (QBO: vendor's) name, tracking as 'Category: Option'"
            " joined by '; ', the department's name; null when there was none"
        ),
    )
    now: str | None = Field(
        max_length=2000,
        description="As the ledger has it now, in the same form; null when removed",
    )

    @staticmethod
    def label_of(field: str) -> str:
        """A difference's ``field`` for a person: ``lines[0].tax_type`` is "Line 1 tax type",
        ``contact`` is "Supplier"."""
        line = _LINE_FIELD.fullmatch(field)
        if line is None:
            return _LABELS.get(field, field)
        what = (line.group(2) or "").replace("_", " ").replace("account code", "account")
        return f"Line {int(line.group(1)) + 1} {what}".strip()
