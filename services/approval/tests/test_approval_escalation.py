"""Escalation of a step left undecided past its deadline and delay: once, only then, to a user
or the organisation's admins, who may then approve (completing the step whatever its
completion) or reject; the requester never becomes a target of their own bill; and the
workflow document refuses an escalation it cannot honour."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from countersign_approval.domain.escalation import escalate, escalation_due
from countersign_approval.domain.interventions import reassign
from countersign_approval.domain.lifecycle import RequestState as S
from countersign_approval.domain.people import Person, Role
from countersign_approval.domain.refusals import OwnBill, UserInUse, WorkflowRefused
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.run import Run
from countersign_approval.domain.staffing import check_not_needed, check_workflow_people
from countersign_approval.domain.workflow import SavedWorkflow, Workflow
from countersign_contracts import AuditAction, RequestStepEscalated
from pydantic import ValidationError

from services.approval.tests.approval_builders import (
    NOW,
    PEOPLE,
    person,
    run_of,
    saved,
    started,
    step,
    who,
    work,
    workflow,
)

DEADLINE = NOW + timedelta(hours=24)
ESCALATES = DEADLINE + timedelta(hours=8)


def escalating(to: str = "cat@example.com", completion: str = "all", **document: Any) -> Workflow:
    manager = {
        **step("Manager", "ann", "bob", completion=completion),
        "deadline_hours": 24,
        "escalation": {"to": to, "after_hours": 8},
    }
    return workflow(steps=[manager, step("CFO", "eve")], **document)


def escalated(flow: Workflow, run: Run | None = None, **started_with: Any) -> ApprovalRequest:
    request = started(flow, **started_with)
    assert escalate(request, run or run_of(flow), ESCALATES)
    return request


def test_a_step_escalates_once_its_deadline_and_delay_have_passed_and_only_then() -> None:
    flow = escalating()
    request = started(flow)
    assert request.next_due() == DEADLINE  # the reminder comes first
    assert request.remind_overdue(DEADLINE)
    assert request.next_due() == ESCALATES
    assert not escalation_due(request, ESCALATES - timedelta(seconds=1))
    assert not escalate(request, run_of(flow), ESCALATES - timedelta(seconds=1))

    assert escalate(request, run_of(flow), ESCALATES)
    assert not escalate(request, run_of(flow), ESCALATES + timedelta(hours=1))  # once
    assert request.next_due() is None

    events = [e for e in request.pending_events if isinstance(e, RequestStepEscalated)]
    assert len(events) == 1
    event = events[0]
    assert (event.step.name, event.due_at, event.escalated_at) == ("Manager", DEADLINE, ESCALATES)
    assert [(a.name, a.role) for a in event.escalated_to] == [("Cat", "escalation")]
    assert [(a.name, a.role) for a in event.awaiting] == [
        ("Ann", "approver"),
        ("Bob", "approver"),
        ("Cat", "escalation"),
    ]
    entry = request.trail[-1]
    assert entry.action is AuditAction.ESCALATED and entry.step is not None
    assert entry.comment == "undecided 8 h after its deadline; escalated to cat@example.com"
    assert who("cat").user_id in request.awaiting() and who("cat").user_id in (
        request.participants()
    )


def test_with_no_delay_the_reminder_and_the_escalation_fall_due_together() -> None:
    flow = workflow(
        steps=[
            {
                **step("Manager", "ann"),
                "deadline_hours": 24,
                "escalation": {"to": "admins", "after_hours": 0},
            }
        ]
    )
    request = started(flow)
    assert request.next_due() == DEADLINE
    assert request.remind_overdue(DEADLINE) and escalate(request, run_of(flow), DEADLINE)
    types = [e.event_type for e in request.pending_events]
    assert types[-2:] == ["RequestStepOverdue", "RequestStepEscalated"]


def test_one_targets_approval_completes_an_all_step_and_is_recorded_as_escalation() -> None:
    flow = escalating()
    request = escalated(flow)
    request.approve(who("cat"), "approving for the team", run_of(flow), ESCALATES)

    assert request.current_step is not None and request.current_step.name == "CFO"
    decision = next(e for e in request.trail if e.action is AuditAction.APPROVED)
    assert (decision.actor.name, decision.actor.role) == ("Cat", "escalation")


def test_the_steps_own_approvers_may_still_decide_after_it_escalated() -> None:
    flow = escalating(completion="any")
    request = escalated(flow)
    request.approve(who("bob"), None, run_of(flow), ESCALATES)
    assert request.current_step is not None and request.current_step.name == "CFO"
    decision = next(e for e in request.trail if e.action is AuditAction.APPROVED)
    assert decision.actor.role == "approver"


def test_a_targets_rejection_rejects_the_request() -> None:
    request = escalated(escalating())
    request.reject(who("cat"), "not ours to pay", ESCALATES)
    assert request.state is S.REJECTED
    assert request.trail[-1].actor.role == "escalation"


def test_an_escalation_to_admins_goes_to_the_admins_at_that_time() -> None:
    flow = escalating(to="admins")
    later = {**PEOPLE, "ama@example.com": person("ama", Role.ADMIN)}
    request = escalated(flow, Run(flow, run_of(flow).ref, later, "GBP"))
    step = request.current_step
    assert step is not None
    assert [p.email for p in step.escalated_to] == ["ada@example.com", "ama@example.com"]
    assert request.trail[-1].comment == (
        "undecided 8 h after its deadline; escalated to the organisation's admins"
        " (ada@example.com, ama@example.com)"
    )


def test_the_requester_is_never_a_target_of_their_own_bill_and_the_trail_says_who_instead() -> None:
    flow = escalating(to="cat@example.com", requester_may_approve=False)
    request = escalated(flow, requester=who("cat").actor("requester"))
    step = request.current_step
    assert step is not None
    # The step has no default approver: the workflow's (Ada) stands in.
    assert [p.email for p in step.escalated_to] == ["ada@example.com"]
    assert request.trail[-1].comment == (
        "undecided 8 h after its deadline; escalated to cat@example.com, but the requester does"
        " not approve their own bill (segregation of duties); escalated to ada@example.com"
        " instead"
    )
    with pytest.raises(OwnBill):
        request.approve(who("cat"), None, run_of(flow), ESCALATES)


def test_someone_who_already_approved_the_step_is_not_its_target() -> None:
    flow = escalating(to="ann@example.com")
    request = started(flow)
    request.approve(who("ann"), None, run_of(flow), NOW)  # an "all" step: Bob still to decide
    assert escalate(request, run_of(flow), ESCALATES)
    step = request.current_step
    assert step is not None and step.name == "Manager"  # not completed by Ann's earlier approval
    assert [p.email for p in step.escalated_to] == ["ada@example.com"]
    assert "they already approved the step" in (request.trail[-1].comment or "")


def test_a_request_that_moved_on_is_not_escalated() -> None:
    flow = escalating(completion="any")
    request = started(flow)
    request.approve(who("ann"), None, run_of(flow), NOW)
    assert request.next_due() is None  # the CFO step has no deadline
    assert not escalate(request, run_of(flow), ESCALATES)
    rejected = started(flow)
    rejected.reject(who("bob"), "no", NOW)
    assert not escalate(rejected, run_of(flow), ESCALATES)
    assert not any(e.action is AuditAction.ESCALATED for e in request.trail + rejected.trail)


def test_an_escalation_target_can_be_handed_on_by_reassignment() -> None:
    flow = escalating()
    request = escalated(flow)
    reassign(request, run_of(flow), who("ada"), who("cat"), who("dan"), None, ESCALATES)
    step = request.current_step
    assert step is not None and [p.email for p in step.escalated_to] == ["dan@example.com"]
    assert request.trail[-1].on_behalf_of is not None
    assert request.trail[-1].on_behalf_of.role == "escalation"


def test_an_escalation_needs_a_deadline_and_the_refusal_names_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        workflow(
            steps=[{**step("Manager", "ann"), "escalation": {"to": "admins", "after_hours": 1}}]
        )
    [error] = refused.value.errors()
    assert (error["loc"], error["type"]) == (("steps", 0, "escalation"), "deadline_required")
    with pytest.raises(ValidationError):
        escalating(to="not an email")
    with pytest.raises(ValidationError):
        workflow(
            steps=[
                {
                    **step("Manager", "ann"),
                    "deadline_hours": 1,
                    "escalation": {"to": "admins", "after_hours": -1},
                }
            ]
        )


def test_a_workflow_escalating_to_someone_who_cannot_approve_is_refused() -> None:
    with pytest.raises(WorkflowRefused) as refused:
        check_workflow_people(escalating(to="rex@example.com"), PEOPLE)
    assert [(e.field, e.rule) for e in refused.value.errors] == [
        ("steps[0].escalation.to", "role_required")
    ]
    with pytest.raises(WorkflowRefused) as unknown:
        check_workflow_people(escalating(to="zed@example.com"), PEOPLE)
    assert [(e.field, e.rule) for e in unknown.value.errors] == [
        ("steps[0].escalation.to", "unknown_user")
    ]
    check_workflow_people(escalating(to="admins"), PEOPLE)


def test_a_user_named_as_escalation_target_cannot_be_removed() -> None:
    current: SavedWorkflow = saved(escalating(to="cat@example.com"))
    others = [p for p in PEOPLE.values() if p.email != "cat@example.com"]
    with pytest.raises(UserInUse) as refused:
        check_not_needed(who("cat"), None, work(others=others, current=current))
    assert refused.value.reasons == [
        "the current workflow (version 1) names them at steps[0].escalation.to:"
        " save a version without them"
    ]
    reviewer_only: Person = who("cat").changed(None, frozenset({Role.REVIEWER}))
    with pytest.raises(UserInUse):
        check_not_needed(who("cat"), reviewer_only, work(others=others, current=current))
