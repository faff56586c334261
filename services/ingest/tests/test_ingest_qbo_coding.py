"""Coding checked against a QuickBooks Online company at intake (issue 22): its accounts by
AcctNum or Id, its TaxCode Ids (non-US) or TAX/NON (US), its classes and departments as the
tracking categories "Class" and "Department", payments only from its Bank and Credit Card
accounts, one department per bill; each refusal naming the field, the rule and the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from countersign_contracts import Ledger, LineItem, MasterData, TrackingSelection, ledger_uuid
from countersign_ingest.domain.ledger_coding import coding_violations, ledger_of_accounts
from countersign_ingest.domain.metadata import CostItemMetadata

ORG = uuid4()


def _account(qbo_id: str, kind: str, active: bool = True) -> dict[str, Any]:
    """An account as the QBO adapter announces it (``qbo_master_data.ledger_account``)."""
    bank = kind == "BANK"
    return {"account_id": str(ledger_uuid(Ledger.QBO, ORG, "account", qbo_id)),
            "ledger_account_id": qbo_id, "code": qbo_id, "name": f"account {qbo_id}",
            "type": kind, "account_class": "ASSET" if bank else "EXPENSE",
            "status": "ACTIVE" if active else "ARCHIVED", "tax_type": None,
            "enable_payments_to_account": bank}  # fmt: skip


def _tracking(name: str, *options: str) -> dict[str, Any]:
    return {"name": name, "status": "ACTIVE",
            "options": [{"name": o, "status": "ACTIVE"} for o in options]}  # fmt: skip


def _tax(code: str) -> dict[str, Any]:
    return {"tax_type": code, "status": "ACTIVE", "can_apply_to": []}


ACCOUNTS = [_account("1", "BANK"), _account("3", "BANK"), _account("5", "EXPENSE"),
            _account("9", "EXPENSE", active=False), _account("10", "REVENUE")]  # fmt: skip
TRACKING = [
    _tracking("Class", "Operations", "Sales"),
    _tracking("Department", "Head Office", "North"),
]


def _company(*taxes: str, org: UUID = ORG) -> MasterData:
    return MasterData.of(
        ACCOUNTS, [_tax(t) for t in taxes], TRACKING, ["GBP"],
        ledger=ledger_of_accounts(org, ACCOUNTS).value,
    )  # fmt: skip


GB = _company("11", "12", "14")  # TaxCode Ids: 20.0% S, 5.0% R, No VAT
US = _company("NON", "TAX")


def _line(tax: str = "11", **changes: Any) -> LineItem:
    values: dict[str, Any] = {
        "description": "Paper", "quantity": Decimal("1"), "unit_amount": Decimal("10.00"),
        "account_code": "5", "tax_type": tax, "tax_amount": Decimal("0.00"),
        "line_amount": Decimal("10.00"),
    }  # fmt: skip
    values.update(changes)
    return LineItem(**values)


def _tracked(*chosen: tuple[str, str]) -> list[TrackingSelection]:
    return [TrackingSelection(category=c, option=o) for c, o in chosen]


def _bill(*lines: LineItem, **changes: Any) -> CostItemMetadata:
    total = sum((line.line_amount for line in lines), Decimal(0))
    values: dict[str, Any] = {
        "dext_item_id": "item-1", "document_type": "invoice", "currency": "GBP",
        "line_amount_type": "exclusive", "lines": list(lines), "subtotal": total,
        "total_tax": Decimal("0.00"), "total": total,
        "requester": {"user_id": "u-1", "name": "Rita", "email": "rita@example.com"},
        "source_url": "https://dext.example/items/1", "supplier": {"name": "Paper Co"},
        "document_reference": "INV-1", "issue_date": "2026-12-01", "due_date": "2026-12-31",
    }  # fmt: skip
    values.update(changes)
    return CostItemMetadata(**values)


def _paid(code: str) -> dict[str, Any]:
    return {"paid": True, "account": {"code": code}, "paid_on": "2026-12-01"}


LINE = "metadata.lines[0]"
REFUSED = [
    ("unknown account", GB, _bill(_line(account_code="77")), f"{LINE}.account_code",
     "unknown_account"),
    ("inactive account", GB, _bill(_line(account_code="9")), f"{LINE}.account_code",
     "account_archived"),
    ("a Xero tax type", GB, _bill(_line("INPUT2")), f"{LINE}.tax_type", "unknown_tax_type"),
    ("a US code in a GB company", GB, _bill(_line("TAX")), f"{LINE}.tax_type",
     "unknown_tax_type"),
    ("a TaxCode Id in a US company", US, _bill(_line("11")), f"{LINE}.tax_type",
     "unknown_tax_type"),
    ("a class the company lacks", GB, _bill(_line(tracking=_tracked(("Class", "Marketing")))),
     f"{LINE}.tracking[0].option", "unknown_tracking_option"),
    ("a Xero tracking category", GB, _bill(_line(tracking=_tracked(("Region", "North")))),
     f"{LINE}.tracking[0].category", "unknown_tracking_category"),
    ("paid from an expense account", GB, _bill(_line(), payment=_paid("5")),
     "metadata.payment.account.code", "not_a_payment_account"),
    ("a currency the company does not keep", GB, _bill(_line(), currency="EUR"),
     "metadata.currency", "currency_not_enabled"),
    ("two departments on one bill", GB,
     _bill(_line(tracking=_tracked(("Department", "North"))),
           _line(tracking=_tracked(("Class", "Sales"), ("Department", "Head Office")))),
     "metadata.lines[1].tracking[1].option", "one_department_per_bill"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "company", "bill", "field", "rule"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_coding_quickbooks_online_would_refuse_is_refused_naming_the_field_and_the_ledger(
    case: str, company: MasterData, bill: CostItemMetadata, field: str, rule: str
) -> None:
    found = coding_violations(bill, company)
    assert [(v.field, v.rule) for v in found] == [(field, rule)], case
    assert "Xero" not in found[0].message, found[0].message
    assert "QuickBooks Online" in found[0].message, found[0].message


def test_coding_quickbooks_online_takes_passes() -> None:
    coded = _tracked(("class", "OPERATIONS"), ("Department", "North"))  # any case
    same_department = _tracked(("Department", "north"))
    bill = _bill(_line(tracking=coded), _line("14", tracking=same_department), payment=_paid("3"))
    assert coding_violations(bill, GB) == []  # paid from a credit card (BANK) account
    assert coding_violations(_bill(_line("TAX"), _line("NON"), payment=_paid("1")), US) == []


def test_the_kept_accounts_tell_a_quickbooks_online_company_from_a_xero_one() -> None:
    xero_id = str(uuid4())
    xero = [{"account_id": xero_id, "ledger_account_id": xero_id, "code": "429"}]
    assert ledger_of_accounts(ORG, ACCOUNTS) is Ledger.QBO
    assert ledger_of_accounts(uuid4(), ACCOUNTS) is Ledger.XERO  # another organisation's ids
    assert ledger_of_accounts(ORG, xero) is Ledger.XERO
    assert ledger_of_accounts(ORG, []) is Ledger.XERO
    assert GB.title == "QuickBooks Online" and MasterData.of([], [], [], []).title == "Xero"
