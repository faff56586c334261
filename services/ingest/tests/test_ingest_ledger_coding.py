"""Coding checked against the organisation's Xero at intake: every refusal, the line and field
it names, and what passes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from countersign_contracts import LineItem, MasterData, TrackingSelection
from countersign_ingest.domain.ledger_coding import coding_violations
from countersign_ingest.domain.metadata import CostItemMetadata


def _account(code: str, kind: str, status: str = "ACTIVE", **more: Any) -> dict[str, Any]:
    classes = {"BANK": "ASSET", "REVENUE": "REVENUE", "CURRLIAB": "LIABILITY"}
    account_class = classes.get(kind, "EXPENSE")
    return {"code": code, "name": code, "status": status, "type": kind,
            "account_class": account_class, **more}  # fmt: skip


def _options(*named: tuple[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "status": status} for name, status in named]


LEDGER = MasterData.of(
    accounts=[
        _account("090", "BANK"),
        _account("429", "OVERHEADS"),
        _account("200", "REVENUE"),
        _account("877", "CURRLIAB", enable_payments_to_account=True),
        _account("999", "OVERHEADS", "ARCHIVED"),
    ],
    tax_rates=[
        {"tax_type": "INPUT2", "status": "ACTIVE", "can_apply_to": ["EXPENSE", "LIABILITY"]},
        {"tax_type": "OUTPUT2", "status": "ACTIVE", "can_apply_to": ["REVENUE"]},
        {"tax_type": "OLDVAT", "status": "DELETED", "can_apply_to": []},
    ],
    tracking=[
        {"name": "Region", "status": "ACTIVE",
         "options": _options(("North", "ACTIVE"), ("West", "ARCHIVED"))},
        {"name": "Project", "status": "ARCHIVED", "options": _options(("Apollo", "ACTIVE"))},
    ],
    currencies=["GBP", "EUR"],
)  # fmt: skip


def _line(**changes: Any) -> LineItem:
    values: dict[str, Any] = {
        "description": "Paper",
        "quantity": Decimal("1"),
        "unit_amount": Decimal("10.00"),
        "account_code": "429",
        "tax_type": "INPUT2",
        "tax_amount": Decimal("2.00"),
        "line_amount": Decimal("10.00"),
    }
    values.update(changes)
    return LineItem(**values)


def _bill(*lines: LineItem, **changes: Any) -> CostItemMetadata:
    values: dict[str, Any] = {
        "dext_item_id": "item-1",
        "document_type": "invoice",
        "currency": "GBP",
        "line_amount_type": "exclusive",
        "lines": list(lines) or [_line()],
        "subtotal": Decimal("10.00"),
        "total_tax": Decimal("2.00"),
        "total": Decimal("12.00"),
        "requester": {"user_id": "u-1", "name": "Rita", "email": "rita@example.com"},
        "source_url": "https://dext.example/items/1",
        "supplier": {"name": "Paper Co"},
        "document_reference": "INV-1",
        "issue_date": "2026-12-01",
        "due_date": "2026-12-31",
    }
    values.update(changes)
    return CostItemMetadata(**values)


def _paid(code: str) -> dict[str, Any]:
    return {"paid": True, "account": {"code": code}, "paid_on": "2026-12-01"}


def _tracked(category: str, option: str) -> CostItemMetadata:
    return _bill(_line(tracking=[TrackingSelection(category=category, option=option)]))


LINE = "metadata.lines[0]"
TWO_LINES = {"subtotal": Decimal("20.00"), "total_tax": Decimal("4.00"), "total": Decimal("24.00")}
REFUSED = [
    ("unknown account", _bill(_line(account_code="123")), f"{LINE}.account_code",
     "unknown_account"),
    ("archived account", _bill(_line(account_code="999")), f"{LINE}.account_code",
     "account_archived"),
    ("unknown tax type", _bill(_line(tax_type="VAT9")), f"{LINE}.tax_type", "unknown_tax_type"),
    ("deleted tax type", _bill(_line(tax_type="OLDVAT")), f"{LINE}.tax_type",
     "tax_type_not_active"),
    ("tax of another class", _bill(_line(tax_type="OUTPUT2")), f"{LINE}.tax_type",
     "tax_type_not_for_account"),
    ("unknown category", _tracked("Colour", "Red"), f"{LINE}.tracking[0].category",
     "unknown_tracking_category"),
    ("archived category", _tracked("Project", "Apollo"), f"{LINE}.tracking[0].category",
     "tracking_category_archived"),
    ("unknown option", _tracked("Region", "East"), f"{LINE}.tracking[0].option",
     "unknown_tracking_option"),
    ("archived option", _tracked("Region", "West"), f"{LINE}.tracking[0].option",
     "tracking_option_archived"),
    ("paid from an expense account", _bill(payment=_paid("429")),
     "metadata.payment.account.code", "not_a_payment_account"),
    ("paid from an unknown account", _bill(payment=_paid("555")),
     "metadata.payment.account.code", "unknown_account"),
    ("currency not enabled", _bill(currency="USD"), "metadata.currency", "currency_not_enabled"),
    ("the second line", _bill(_line(), _line(account_code="999"), **TWO_LINES),
     "metadata.lines[1].account_code", "account_archived"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "bill", "field", "rule"), REFUSED, ids=[r[0] for r in REFUSED])
def test_coding_xero_would_refuse_is_refused_naming_the_line_and_field(
    case: str, bill: CostItemMetadata, field: str, rule: str
) -> None:
    found = coding_violations(bill, LEDGER)
    assert [(v.field, v.rule) for v in found] == [(field, rule)], case
    assert found[0].message


def test_coding_xero_accepts_passes() -> None:
    tracked = _line(tracking=[TrackingSelection(category="region", option="NORTH")])  # any case
    assert coding_violations(_bill(tracked, payment=_paid("090")), LEDGER) == []
    assert coding_violations(_bill(payment=_paid("877")), LEDGER) == []  # payments enabled
    assert coding_violations(_bill(currency="EUR"), LEDGER) == []
