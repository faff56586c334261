"""Coding checked against Xero's master data while a request is pending: flagged when Xero
would refuse it, recoded by a reviewer or an administrator from what Xero takes, and never
authorised — by the last approval, by force or by an auto-approval rule — while it is not."""

from __future__ import annotations

from typing import Any

import pytest
from countersign_approval.domain.coding import CodingEdit, recheck_coding
from countersign_approval.domain.interventions import force_approve
from countersign_approval.domain.lifecycle import RequestState as S
from countersign_approval.domain.refusals import (
    CodingNotValid,
    CodingRefused,
    NotAParticipant,
    OutOfTurn,
)
from countersign_approval.domain.review import edit_coding
from countersign_contracts import AuditAction, MasterData

from services.approval.tests.approval_builders import (
    NOW,
    bill,
    line,
    new_request,
    run_of,
    started,
    step,
    who,
    workflow,
)


def _account(code: str, status: str = "ACTIVE", kind: str = "EXPENSE") -> dict[str, Any]:
    return {"code": code, "name": f"Account {code}", "status": status, "type": kind,
            "account_class": kind}  # fmt: skip


def _master(archived: tuple[str, ...] = ()) -> MasterData:
    codes = ("429", "461", "400")
    return MasterData.of(
        accounts=[_account(c, "ARCHIVED" if c in archived else "ACTIVE") for c in codes],
        tax_rates=[
            {"tax_type": "INPUT2", "status": "ACTIVE", "can_apply_to": ["EXPENSE"]},
            {"tax_type": "OUTPUT2", "status": "ACTIVE", "can_apply_to": ["REVENUE"]},
        ],
        tracking=[],
        currencies=["GBP"],
    )


TWO_STEPS = workflow(steps=[step("Manager", "ann"), step("Finance", "bob")])


def _flagged() -> Any:
    """A request coded to 461, at its first step, after Xero archived 461."""
    request = started(TWO_STEPS, bill(lines=[line(account="461")]))
    assert recheck_coding(request, _master(archived=("461",)), NOW)
    return request


def test_archiving_an_account_flags_the_pending_request_with_the_reason() -> None:
    request = _flagged()
    assert [(i.field, i.rule) for i in request.coding_issues] == [
        ("lines[0].account_code", "account_archived")
    ]
    flagged = request.trail[-1]
    assert flagged.action is AuditAction.CODING_FLAGGED
    assert flagged.comment == "lines[0].account_code: account 461 (Account 461) is archived in Xero"
    # The same master data again changes nothing and records nothing.
    assert not recheck_coding(request, _master(archived=("461",)), NOW)
    assert request.trail[-1] is flagged


def test_the_last_approval_is_refused_while_the_coding_is_not_valid() -> None:
    request = _flagged()
    run = run_of(TWO_STEPS)
    request.approve(who("ann"), None, run, NOW)  # not the last step: it may go on
    assert request.state is S.IN_APPROVAL
    with pytest.raises(CodingNotValid, match=r"lines\[0\]\.account_code: account 461"):
        request.approve(who("bob"), None, run, NOW)


def test_force_approval_is_refused_while_the_coding_is_not_valid() -> None:
    request = _flagged()
    with pytest.raises(CodingNotValid):
        force_approve(request, run_of(TWO_STEPS), who("ada"), "urgent", NOW)


def test_an_administrator_recodes_from_what_xero_takes_and_the_request_is_authorised() -> None:
    request = _flagged()
    master = _master(archived=("461",))
    edit_coding(request, who("ada"), 0, CodingEdit(account_code="429"), master, NOW)
    assert request.coding_issues == []
    edited, cleared = request.trail[-2:]
    assert (edited.action, edited.actor.role, edited.step) == (
        AuditAction.EDITED,
        "admin",
        request.step_ref(request.steps[-1]),
    )
    assert [(c.field, c.before, c.after) for c in edited.changes] == [
        ("lines[0].account_code", "461", "429")
    ]
    assert cleared.action is AuditAction.CODING_CLEARED
    run = run_of(TWO_STEPS)
    request.approve(who("ann"), None, run, NOW)
    request.approve(who("bob"), None, run, NOW)
    assert request.state is S.AUTHORISED
    assert request.bill.lines[0].account_code == "429"


@pytest.mark.parametrize(
    ("edit", "field", "rule"),
    [
        (CodingEdit(account_code="461"), "lines[0].account_code", "account_archived"),
        (CodingEdit(account_code="999"), "lines[0].account_code", "unknown_account"),
        (CodingEdit(tax_type="OUTPUT2"), "lines[0].tax_type", "tax_type_not_for_account"),
        (CodingEdit(tax_type="GST9"), "lines[0].tax_type", "unknown_tax_type"),
    ],
    ids=["archived account", "unknown account", "tax type not for the account", "unknown tax"],
)
def test_a_recoding_xero_would_refuse_is_refused_naming_the_field(
    edit: CodingEdit, field: str, rule: str
) -> None:
    request = started(
        workflow(review={"reviewers": ["rex@example.com"]}, steps=[step("Finance", "ann")]),
        bill(lines=[line(account="400")]),
    )
    trail = list(request.trail)
    with pytest.raises(CodingRefused) as refused:
        edit_coding(request, who("rex"), 0, edit, _master(archived=("461",)), NOW)
    assert [(e.field, e.rule) for e in refused.value.errors] == [(field, rule)]
    assert request.bill.lines[0].account_code == "400"
    assert request.trail == trail


def test_only_a_reviewer_or_an_administrator_recodes_and_only_while_it_is_needed() -> None:
    request = _flagged()
    master = _master(archived=("461",))
    with pytest.raises(NotAParticipant):
        edit_coding(request, who("ann"), 0, CodingEdit(account_code="429"), master, NOW)
    valid = started(TWO_STEPS, bill(lines=[line(account="429")]))
    with pytest.raises(OutOfTurn):
        edit_coding(valid, who("ada"), 0, CodingEdit(account_code="400"), master, NOW)


def test_an_auto_approval_rule_does_not_authorise_coding_xero_would_refuse() -> None:
    f = workflow(
        auto_approval=[{"conditions": [{"field": "total", "operator": "<", "amount": "200"}]}],
        steps=[step("Finance", "ann")],
    )
    held = new_request(bill(lines=[line(account="461")]))
    recheck_coding(held, _master(archived=("461",)), NOW)  # as intake does, before the start
    held.start(run_of(f), NOW)
    assert held.state is S.IN_APPROVAL
    assert not held.auto_approved
    notes = [e.comment for e in held.trail if e.action is AuditAction.COMMENTED]
    assert notes == ["auto-approval rule 1 held back: Xero would refuse the coding"]
    # With coding Xero takes, the same rule authorises at once.
    taken = new_request(bill(lines=[line(account="429")]))
    recheck_coding(taken, _master(archived=("461",)), NOW)
    taken.start(run_of(f), NOW)
    assert (taken.state, taken.auto_approved) == (S.AUTHORISED, True)


def test_master_data_changing_back_clears_the_flag() -> None:
    request = _flagged()
    assert recheck_coding(request, _master(), NOW)
    assert request.coding_issues == []
    assert request.trail[-1].action is AuditAction.CODING_CLEARED


def test_a_request_past_its_approval_is_left_to_the_publisher() -> None:
    request = started(workflow(steps=[step("Finance", "ann")]), bill(lines=[line(account="461")]))
    request.approve(who("ann"), None, run_of(workflow(steps=[step("Finance", "ann")])), NOW)
    assert request.state is S.AUTHORISED
    assert not recheck_coding(request, _master(archived=("461",)), NOW)
    assert request.coding_issues == []
