"""Coding checked against a QuickBooks Online company's master data while a request waits:
the options name the company's accounts, tax codes, classes and departments and the ledger;
recoding to another class or department is kept; a second department on one bill is refused
(QBO keeps a bill's department on its header); the reasons name QuickBooks Online."""

from __future__ import annotations

from typing import Any

import pytest
from countersign_approval.domain.coding import CodingEdit
from countersign_approval.domain.refusals import CodingRefused
from countersign_approval.domain.review import edit_coding
from countersign_contracts import MasterData, TrackingSelection, bill_coding_issues

from services.approval.tests.approval_builders import NOW, bill, line, started, step, who, workflow


def _tracking(name: str, *options: str) -> dict[str, Any]:
    return {"name": name, "status": "ACTIVE",
            "options": [{"name": o, "status": "ACTIVE"} for o in options]}  # fmt: skip


def _company() -> MasterData:
    """A GB company as ledger.master-data.v1 carries it (ADR 0071), read from the event."""
    account = {"name": "Office Expenses", "type": "EXPENSE", "account_class": "EXPENSE",
               "status": "ACTIVE", "tax_type": None}  # fmt: skip
    return MasterData.from_event(
        {
            "ledger": "qbo",
            "accounts": [
                {**account, "code": "5"},
                {**account, "code": "6", "name": "Travel"},
                {**account, "code": "1", "name": "Checking", "type": "BANK"},
            ],
            "tax_rates": [
                {"tax_type": "11", "name": "20.0% S", "status": "ACTIVE", "can_apply_to": []}
            ],
            "tracking_categories": [
                _tracking("Class", "Operations", "Sales"),
                _tracking("Department", "Head Office", "North"),
            ],
            "currencies": ["GBP"],
        }
    )


def _waiting(*lines: Any) -> Any:
    flow = workflow(review={"reviewers": ["rex@example.com"]}, steps=[step("Finance", "ann")])
    return started(flow, bill(lines=list(lines)))


def _tracked(**chosen: str) -> list[TrackingSelection]:
    return [TrackingSelection(category=c, option=o) for c, o in chosen.items()]


def test_the_options_are_the_companys_accounts_tax_codes_classes_and_departments() -> None:
    options = _company().options()
    assert (options["ledger"], options["ledger_title"]) == ("qbo", "QuickBooks Online")
    assert [a["code"] for a in options["accounts"]] == ["5", "6"]  # the bank account aside
    assert [t["tax_type"] for t in options["tax_rates"]] == ["11"]
    assert options["tracking_categories"] == [
        {"name": "Class", "options": ["Operations", "Sales"]},
        {"name": "Department", "options": ["Head Office", "North"]},
    ]


def test_a_reviewer_recodes_to_another_account_class_and_department() -> None:
    request = _waiting(line(account="5", tax="11", tracking={"Class": "Operations"}))
    edit = CodingEdit(account_code="6", tracking=_tracked(Class="Sales", Department="North"))
    edit_coding(request, who("rex"), 0, edit, _company(), NOW)
    [recoded] = request.bill.lines
    assert recoded.account_code == "6"
    assert [(t.category, t.option) for t in recoded.tracking] == [
        ("Class", "Sales"), ("Department", "North"),
    ]  # fmt: skip
    assert request.coding_issues == []


def test_a_recoding_to_a_second_department_on_the_bill_is_refused() -> None:
    request = _waiting(
        line(account="5", tax="11", tracking={"Department": "North"}),
        line(account="6", tax="11"),
    )
    edit = CodingEdit(tracking=_tracked(Department="Head Office"))
    with pytest.raises(CodingRefused) as refused:
        edit_coding(request, who("rex"), 1, edit, _company(), NOW)
    [error] = refused.value.errors
    assert (error.field, error.rule) == ("lines[1].tracking[0].option", "one_department_per_bill")
    assert "QuickBooks Online" in error.message
    assert request.bill.lines[1].tracking == []


def test_the_reasons_a_request_is_flagged_name_quickbooks_online() -> None:
    waiting = bill(lines=[line(account="9", tax="INPUT2", tracking={"Region": "North"})])
    issues = bill_coding_issues(_company(), waiting)
    assert [(i.field, i.rule) for i in issues] == [
        ("lines[0].account_code", "unknown_account"),
        ("lines[0].tax_type", "unknown_tax_type"),
        ("lines[0].tracking[0].category", "unknown_tracking_category"),
    ]
    assert all("QuickBooks Online" in i.message and "Xero" not in i.message for i in issues)
