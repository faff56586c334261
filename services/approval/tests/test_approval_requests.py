"""The request aggregate walking its workflow: review, auto-approval, steps, Any/All, decision
policy, supersede, withdrawal, force actions, reassignment and publication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from countersign_approval.domain.coding import CodingEdit
from countersign_approval.domain.interventions import force_approve, force_reject, reassign
from countersign_approval.domain.lifecycle import RequestState as S, TransitionRefused
from countersign_approval.domain.people import SYSTEM
from countersign_approval.domain.publication import publication_progressed, retry_publication
from countersign_approval.domain.refusals import InvalidAction, NotAParticipant, OutOfTurn, OwnBill
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.review import edit_coding, submit_review
from countersign_approval.domain.workflow_hours import set_workflow_hour
from countersign_contracts import (
    AuditAction,
    PublicationStatus,
    RequestApproverReassigned,
    RequestAuthorised,
    RequestOpened,
    RequestRejected,
    RequestStepDeadlineApproaching,
    RequestStepDecided,
    RequestStepOverdue,
)
from hypothesis import given, settings, strategies as st

from services.approval.tests.approval_builders import (
    NOW,
    bill,
    event_types,
    new_request,
    run_of,
    started,
    step,
    who,
    workflow,
)

THREE_STEPS: dict[str, Any] = {
    "steps": [
        step("Manager", "ann", "bob"),
        step("Finance", "cat", "dan", completion="all"),
        step("CFO", "eve"),
    ]
}


def flow(**overrides: Any) -> Any:
    return workflow(**{**THREE_STEPS, **overrides})


def test_without_review_or_auto_rules_the_request_starts_at_step_one() -> None:
    request = started(flow())
    assert request.state is S.IN_APPROVAL
    assert request.current_step is not None and request.current_step.name == "Manager"
    assert event_types(request) == ["RequestOpened"]
    assert set(request.awaiting()) == {who("ann").user_id, who("bob").user_id}


def test_the_events_say_whose_turn_it_is() -> None:
    f = flow()
    request = started(f)
    opened = request.pending_events[0]
    assert isinstance(opened, RequestOpened)
    assert {a.user_id for a in opened.awaiting} == {who("ann").user_id, who("bob").user_id}
    assert {a.role for a in opened.awaiting} == {"approver"}
    request.approve(who("ann"), None, run_of(f), NOW)
    request.approve(who("cat"), None, run_of(f), NOW)
    decided = request.pending_events[-1]
    assert isinstance(decided, RequestStepDecided)
    assert [a.user_id for a in decided.awaiting] == [who("dan").user_id]


def test_an_any_step_completes_with_one_approval() -> None:
    f = flow()
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    assert request.current_step is not None and request.current_step.name == "Finance"
    decided = request.pending_events[-1]
    assert isinstance(decided, RequestStepDecided)
    assert decided.step_completed and decided.next_step is not None
    assert decided.next_step.name == "Finance"


def test_an_all_step_needs_every_approver() -> None:
    f = flow()
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    request.approve(who("cat"), None, run_of(f), NOW)
    assert request.current_step is not None and request.current_step.name == "Finance"
    assert request.awaiting() == [who("dan").user_id]
    request.approve(who("dan"), None, run_of(f), NOW)
    assert request.current_step is not None and request.current_step.name == "CFO"


def test_the_last_approval_authorises_with_the_whole_trail() -> None:
    f = flow()
    request = started(f)
    for name in ("ann", "cat", "dan", "eve"):
        request.approve(who(name), f"ok from {name}", run_of(f), NOW)
    assert request.state is S.AUTHORISED
    authorised = request.pending_events[-1]
    assert isinstance(authorised, RequestAuthorised) and not authorised.auto_approved
    actions = [entry.action for entry in authorised.audit_trail]
    assert actions == [AuditAction.SUBMITTED] + [AuditAction.APPROVED] * 4 + [
        AuditAction.AUTHORISED
    ]
    assert [e.comment for e in authorised.audit_trail[1:5]] == [
        "ok from ann",
        "ok from cat",
        "ok from dan",
        "ok from eve",
    ]
    assert event_types(request)[-2:] == ["RequestStepDecided", "RequestAuthorised"]


def test_rejection_at_step_two_ends_the_request_with_the_reason() -> None:
    f = flow()
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    request.reject(who("cat"), "wrong supplier", NOW)
    assert request.state is S.REJECTED
    rejected = request.pending_events[-1]
    assert isinstance(rejected, RequestRejected)
    assert rejected.reason == "wrong supplier" and rejected.step is not None
    assert rejected.step.name == "Finance" and not rejected.forced
    assert request.awaiting() == []


def test_someone_outside_the_current_step_cannot_decide() -> None:
    f = flow()
    request = started(f)
    with pytest.raises(NotAParticipant):
        request.approve(who("cat"), None, run_of(f), NOW)
    with pytest.raises(NotAParticipant):
        request.reject(who("eve"), "no", NOW)
    assert request.trail[-1].action is AuditAction.SUBMITTED
    assert event_types(request) == ["RequestOpened"]


def test_the_same_approver_cannot_approve_an_all_step_twice() -> None:
    f = flow()
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    request.approve(who("cat"), None, run_of(f), NOW)
    with pytest.raises(OutOfTurn):
        request.approve(who("cat"), None, run_of(f), NOW)


def test_a_decision_for_a_step_that_moved_on_is_refused() -> None:
    f = flow()
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW, expected_step=0)
    with pytest.raises(OutOfTurn):
        request.approve(who("bob"), None, run_of(f), NOW, expected_step=0)


def test_decisions_after_authorisation_are_refused() -> None:
    f = workflow(steps=[step("Only", "ann", "bob")])
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    with pytest.raises(OutOfTurn):
        request.approve(who("bob"), None, run_of(f), NOW)
    with pytest.raises(OutOfTurn):
        request.reject(who("bob"), "late", NOW)


def test_an_auto_approval_rule_authorises_at_once_and_says_so() -> None:
    f = flow(auto_approval=[{"conditions": [{"field": "total", "operator": "<", "amount": "200"}]}])
    request = started(f, bill(total="150.00"))
    assert request.state is S.AUTHORISED
    assert event_types(request) == ["RequestOpened", "RequestAuthorised"]
    assert request.pending_events[0].current_step is None  # type: ignore[attr-defined]
    authorised = request.pending_events[-1]
    assert isinstance(authorised, RequestAuthorised) and authorised.auto_approved
    assert AuditAction.AUTO_APPROVED in [e.action for e in authorised.audit_trail]


def test_above_the_auto_approval_threshold_the_steps_run() -> None:
    f = flow(auto_approval=[{"conditions": [{"field": "total", "operator": "<", "amount": "200"}]}])
    assert started(f, bill(total="250.00")).state is S.IN_APPROVAL


def test_once_policy_counts_an_approval_in_later_steps() -> None:
    f = workflow(
        decision_policy="once",
        steps=[
            step("One", "ann"),
            step("Two", "ann", "bob", completion="all"),
            step("Three", "cat"),
        ],
    )
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    step_two = request.current_step
    assert step_two is not None and step_two.name == "Two"
    assert who("ann").user_id in step_two.approved_by
    assert request.awaiting() == [who("bob").user_id]
    carried = request.trail[-1]
    assert carried.actor == SYSTEM and carried.on_behalf_of is not None
    assert carried.on_behalf_of.user_id == who("ann").user_id


def test_once_policy_can_complete_a_later_step_outright() -> None:
    f = workflow(decision_policy="once", steps=[step("One", "ann"), step("Two", "ann")])
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    assert request.state is S.AUTHORISED
    assert event_types(request) == [
        "RequestOpened",
        "RequestStepDecided",
        "RequestStepDecided",
        "RequestAuthorised",
    ]


def test_once_policy_carries_one_approval_into_an_any_step_and_moves_on_once() -> None:
    f = workflow(
        decision_policy="once",
        steps=[
            step("One", "ann", "bob", completion="all"),
            step("Two", "ann", "bob"),
            step("Three", "cat"),
        ],
    )
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    request.approve(who("bob"), None, run_of(f), NOW)
    assert [s.name for s in request.steps] == ["One", "Two", "Three"]
    assert request.steps[1].approved_by == [who("ann").user_id]
    assert request.awaiting() == [who("cat").user_id]


def test_each_step_policy_asks_the_same_approver_again() -> None:
    f = workflow(decision_policy="each_step", steps=[step("One", "ann"), step("Two", "ann")])
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    assert request.state is S.IN_APPROVAL and request.awaiting() == [who("ann").user_id]


def test_the_default_approver_takes_a_step_nobody_matches() -> None:
    never = {
        "approver": "ann@example.com",
        "rules": [{"conditions": [{"field": "supplier", "values": ["Nobody"]}]}],
    }
    f = workflow(steps=[{"name": "One", "approvers": [never]}], default_approver="fay@example.com")
    request = started(f)
    assert request.awaiting() == [who("fay").user_id]


def test_review_comes_first_and_records_edits_with_before_and_after() -> None:
    f = flow(review={"reviewers": ["rex@example.com"]})
    request = started(f)
    assert request.state is S.IN_REVIEW and request.awaiting() == [who("rex").user_id]
    assert request.pending_events[0].current_step.name == "Review"  # type: ignore[attr-defined]
    edit_coding(request, who("rex"), 0, CodingEdit(account_code="400", tax_type="NONE"), None, NOW)
    edited = request.trail[-1]
    assert edited.action is AuditAction.EDITED
    assert [(c.field, c.before, c.after) for c in edited.changes] == [
        ("lines[0].account_code", "429", "400"),
        ("lines[0].tax_type", "INPUT2", "NONE"),
    ]
    assert request.bill.lines[0].account_code == "400"
    assert request.submitted_bill.lines[0].account_code == "429"


def test_submitting_the_review_enters_step_one_numbered_after_the_review() -> None:
    f = flow(review={"reviewers": ["rex@example.com"]})
    request = started(f)
    submit_review(request, who("rex"), "coded", run_of(f), NOW)
    assert request.state is S.IN_APPROVAL
    decided = request.pending_events[-1]
    assert isinstance(decided, RequestStepDecided)
    assert decided.step.index == 0 and decided.next_step is not None
    assert (decided.next_step.index, decided.next_step.name) == (1, "Manager")
    # Whose turn it is now: the first step's approvers, not nobody.
    assert decided.awaiting and decided.awaiting == request.awaiting_actors()


def test_auto_approval_is_checked_on_the_reviewed_bill() -> None:
    f = flow(
        review={"reviewers": ["rex@example.com"]},
        auto_approval=[{"conditions": [{"field": "account", "values": ["400"]}]}],
    )
    request = started(f)
    assert request.state is S.IN_REVIEW
    edit_coding(request, who("rex"), 0, CodingEdit(account_code="400"), None, NOW)
    submit_review(request, who("rex"), None, run_of(f), NOW)
    assert request.state is S.AUTHORISED
    authorised = request.pending_events[-1]
    assert isinstance(authorised, RequestAuthorised)
    assert authorised.bill.lines[0].account_code == "400"


def test_only_reviewers_edit_and_only_during_review() -> None:
    f = flow(review={"reviewers": ["rex@example.com"]})
    request = started(f)
    with pytest.raises(NotAParticipant):
        edit_coding(request, who("ann"), 0, CodingEdit(account_code="400"), None, NOW)
    submit_review(request, who("rex"), None, run_of(f), NOW)
    with pytest.raises(OutOfTurn):
        edit_coding(request, who("rex"), 0, CodingEdit(account_code="400"), None, NOW)


def test_an_edit_that_changes_nothing_or_names_no_line_is_refused() -> None:
    request = started(flow(review={"reviewers": ["rex@example.com"]}))
    with pytest.raises(InvalidAction):
        edit_coding(request, who("rex"), 0, CodingEdit(account_code="429"), None, NOW)
    with pytest.raises(InvalidAction):
        edit_coding(request, who("rex"), 5, CodingEdit(account_code="400"), None, NOW)


def test_supersede_in_the_middle_of_a_step_resets_approvals() -> None:
    f = flow()
    first = started(f)
    first.approve(who("ann"), None, run_of(f), NOW)
    first.approve(who("cat"), None, run_of(f), NOW)
    second = ApprovalRequest.open(
        request_id=first.request_id.__class__(int=first.request_id.int + 1),
        organisation_id=first.organisation_id,
        dext_item_id=first.dext_item_id,
        item_version=2,
        bill=bill(total="120.00"),
        requester=first.requester,
        submitted_at=NOW,
        now=NOW,
        previous=None,
    )
    first.supersede(second.request_id, 2, NOW)
    resubmitted = ApprovalRequest.open(
        request_id=second.request_id,
        organisation_id=first.organisation_id,
        dext_item_id=first.dext_item_id,
        item_version=2,
        bill=bill(total="120.00"),
        requester=first.requester,
        submitted_at=NOW,
        now=NOW,
        previous=first,
    )
    resubmitted.start(run_of(f), NOW)
    assert first.state is S.SUPERSEDED and event_types(first)[-1] == "RequestSuperseded"
    assert resubmitted.current_step is not None and resubmitted.current_step.name == "Manager"
    assert resubmitted.current_step.approved_by == []
    assert resubmitted.supersedes_request_id == first.request_id
    actions = [e.action for e in resubmitted.trail]
    assert actions == [
        AuditAction.SUBMITTED,
        AuditAction.APPROVED,
        AuditAction.APPROVED,
        AuditAction.SUPERSEDED,
        AuditAction.SUBMITTED,
    ]


def test_a_rejected_request_can_be_superseded_but_an_authorised_one_cannot() -> None:
    f = workflow(steps=[step("Only", "ann")])
    rejected = started(f)
    rejected.reject(who("ann"), "no", NOW)
    rejected.supersede(rejected.request_id, 2, NOW)
    assert rejected.state is S.SUPERSEDED
    authorised = started(f)
    authorised.approve(who("ann"), None, run_of(f), NOW)
    with pytest.raises(TransitionRefused):
        authorised.supersede(authorised.request_id, 2, NOW)


def test_withdrawal_cancels_a_pending_request() -> None:
    request = started(flow())
    request.cancel(SYSTEM, "withdrawn in Dext", NOW)
    assert request.state is S.CANCELLED and event_types(request)[-1] == "RequestCancelled"
    assert request.trail[-1].action is AuditAction.CANCELLED


def test_a_request_without_workflow_waits_then_starts() -> None:
    request = new_request()
    request.wait_for_workflow()
    assert request.state is S.AWAITING_WORKFLOW and request.pending_events == []
    request.start(run_of(flow()), NOW)
    assert request.state is S.IN_APPROVAL and event_types(request) == ["RequestOpened"]


def test_force_approve_authorises_mid_workflow_and_is_recorded_as_forced() -> None:
    f = flow()
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    force_approve(request, run_of(f), who("ada"), "CFO on holiday", NOW)
    assert request.state is S.AUTHORISED
    forced = [e for e in request.trail if e.action is AuditAction.FORCE_APPROVED]
    assert len(forced) == 1 and forced[0].comment == "CFO on holiday"
    assert forced[0].step is not None and forced[0].step.name == "Finance"
    decided = request.pending_events[-2]
    assert isinstance(decided, RequestStepDecided) and decided.forced


def test_force_reject_works_during_review_and_is_recorded() -> None:
    request = started(flow(review={"reviewers": ["rex@example.com"]}))
    force_reject(request, who("ada"), "duplicate", NOW)
    assert request.state is S.REJECTED
    rejected = request.pending_events[-1]
    assert isinstance(rejected, RequestRejected) and rejected.forced and rejected.step is None
    assert request.trail[-1].action is AuditAction.FORCE_REJECTED


def test_force_actions_need_a_running_request() -> None:
    f = workflow(steps=[step("Only", "ann")])
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    with pytest.raises(OutOfTurn):
        force_approve(request, run_of(f), who("ada"), "again", NOW)
    with pytest.raises(OutOfTurn):
        force_reject(request, who("ada"), "late", NOW)


def test_reassign_hands_a_place_in_the_step_and_records_it() -> None:
    f = flow()
    request = started(f)
    reassign(request, run_of(f), who("ada"), who("ann"), who("fay"), "ann left", NOW)
    assert set(request.awaiting()) == {who("fay").user_id, who("bob").user_id}
    entry = request.trail[-1]
    assert entry.action is AuditAction.REASSIGNED
    assert (entry.changes[0].before, entry.changes[0].after) == (
        "ann@example.com",
        "fay@example.com",
    )
    told = request.pending_events[-1]
    assert isinstance(told, RequestApproverReassigned)
    assert (told.replaced.email, told.replacement.email, told.comment) == (
        "ann@example.com",
        "fay@example.com",
        "ann left",
    )
    assert {a.email for a in told.awaiting} == {"fay@example.com", "bob@example.com"}
    with pytest.raises(NotAParticipant):
        request.approve(who("ann"), None, run_of(f), NOW)
    request.approve(who("fay"), None, run_of(f), NOW)
    assert request.current_step is not None and request.current_step.name == "Finance"


def test_reassign_refuses_someone_who_cannot_approve() -> None:
    f = flow()
    request = started(f)
    with pytest.raises(InvalidAction):
        reassign(request, run_of(f), who("ada"), who("ann"), who("aud"), None, NOW)
    with pytest.raises(InvalidAction):
        reassign(request, run_of(f), who("ada"), who("cat"), who("fay"), None, NOW)


def test_publication_outcomes_move_the_request_and_an_admin_retries_a_failure() -> None:
    f = workflow(steps=[step("Only", "ann")])
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    publication = request.request_id
    publication_progressed(
        request,
        publication,
        PublicationStatus.PUBLISH_FAILED,
        NOW,
        messages=["Account code '429' is archived"],
    )
    assert request.state is S.PUBLISH_FAILED
    assert request.publication_messages == ["Account code '429' is archived"]
    retry_publication(request, who("ada"), "account restored", NOW)
    assert request.state is S.PUBLISHING
    assert event_types(request)[-1] == "PublicationRetryRequested"
    publication_progressed(request, publication, PublicationStatus.PUBLISHED, NOW)
    assert request.state is S.PUBLISHED
    with pytest.raises(OutOfTurn):
        retry_publication(request, who("ada"), None, NOW)


def test_a_publication_report_before_authorisation_is_refused() -> None:
    request = started(flow())
    with pytest.raises(TransitionRefused):
        publication_progressed(request, request.request_id, PublicationStatus.PUBLISHING, NOW)


def test_the_request_survives_a_round_trip_through_its_stored_form() -> None:
    f = flow(review={"reviewers": ["rex@example.com"]})
    request = started(f)
    edit_coding(request, who("rex"), 0, CodingEdit(tax_type="NONE"), None, NOW)
    again = ApprovalRequest.model_validate_json(request.model_dump_json())
    assert again.model_dump() == request.model_dump()
    assert again.pending_events == []  # events leave through the outbox, never the document


approver_names = ["ann", "bob", "cat", "dan", "eve", "fay"]


@settings(max_examples=60, deadline=None)
@given(
    group=st.lists(st.sampled_from(approver_names), min_size=1, max_size=6, unique=True),
    order=st.randoms(use_true_random=False),
)
def test_an_all_step_is_complete_only_after_every_approver(group: list[str], order: Any) -> None:
    f = workflow(steps=[step("All", *group, completion="all")])
    request = started(f)
    shuffled = list(group)
    order.shuffle(shuffled)
    for n, name in enumerate(shuffled):
        assert request.state is S.IN_APPROVAL
        request.approve(who(name), None, run_of(f), NOW)
        assert (request.state is S.AUTHORISED) == (n == len(shuffled) - 1)


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.lists(st.sampled_from(approver_names), min_size=1, max_size=3, unique=True),
            st.sampled_from(["any", "all"]),
        ),
        min_size=1,
        max_size=4,
    ),
    policy=st.sampled_from(["each_step", "once"]),
)
def test_approving_everything_asked_always_ends_authorised(
    steps: list[tuple[list[str], str]], policy: str
) -> None:
    f = workflow(
        decision_policy=policy,
        steps=[step(f"S{n}", *names, completion=c) for n, (names, c) in enumerate(steps)],
    )
    request = started(f)
    for _ in range(50):
        if request.state is not S.IN_APPROVAL:
            break
        assert request.awaiting(), "a running step always waits for someone"
        first = next(p for p in request.current_step.approvers if p.user_id in request.awaiting())  # type: ignore[union-attr]
        request.approve(first, None, run_of(f), NOW)
    assert request.state is S.AUTHORISED
    assert event_types(request)[-1] == "RequestAuthorised"
    assert [s.index for s in request.steps] == list(range(len(steps)))  # each step entered once


def test_a_step_with_a_deadline_is_reminded_of_once_when_it_passes_undecided() -> None:
    deadlines = {
        "steps": [
            {**step("Manager", "ann"), "deadline_hours": 48},
            step("CFO", "eve"),
        ]
    }
    f = workflow(**deadlines)
    request = started(f)
    manager = request.current_step
    assert manager is not None and manager.due_at == NOW + timedelta(hours=48)
    assert request.next_due() == NOW + timedelta(hours=24)  # the reminder a day before

    assert not request.remind_overdue(NOW + timedelta(hours=47))
    assert request.remind_overdue(NOW + timedelta(hours=49))
    overdue = request.pending_events[-1]
    assert isinstance(overdue, RequestStepOverdue)
    assert (overdue.step.name, overdue.due_at) == ("Manager", NOW + timedelta(hours=48))
    assert [a.user_id for a in overdue.awaiting] == [who("ann").user_id]
    assert request.next_due() is None  # once
    assert not request.remind_overdue(NOW + timedelta(hours=72))

    request.approve(who("ann"), None, run_of(f), NOW + timedelta(hours=50))
    assert request.current_step is not None and request.current_step.name == "CFO"
    assert request.current_step.due_at is None and request.next_due() is None


def test_a_deadline_more_than_a_day_away_is_reminded_of_once_a_day_before() -> None:
    f = workflow(steps=[{**step("Manager", "ann"), "deadline_hours": 30}])
    request = started(f)
    assert request.next_due() == NOW + timedelta(hours=6)
    assert not request.remind_deadline_approaching(NOW + timedelta(hours=5))
    assert request.remind_deadline_approaching(NOW + timedelta(hours=6, minutes=1))
    soon = request.pending_events[-1]
    assert isinstance(soon, RequestStepDeadlineApproaching)
    assert (soon.step.name, soon.due_at) == ("Manager", NOW + timedelta(hours=30))
    assert [a.user_id for a in soon.awaiting] == [who("ann").user_id]
    assert not request.remind_deadline_approaching(NOW + timedelta(hours=7))  # once
    assert request.next_due() == NOW + timedelta(hours=30)  # then the deadline itself


def test_a_deadline_a_day_away_or_less_gets_no_reminder_before_it() -> None:
    f = workflow(steps=[{**step("Manager", "ann"), "deadline_hours": 24}])
    request = started(f)
    assert request.next_due() == NOW + timedelta(hours=24)
    assert not request.remind_deadline_approaching(NOW + timedelta(hours=23))


def test_a_reminder_found_only_after_the_deadline_leaves_it_to_the_overdue_one() -> None:
    f = workflow(steps=[{**step("Manager", "ann"), "deadline_hours": 30}])
    request = started(f)
    late = NOW + timedelta(hours=31)
    assert not request.remind_deadline_approaching(late)
    assert request.remind_overdue(late)
    assert [type(e).__name__ for e in request.pending_events][-1] == "RequestStepOverdue"
    assert "RequestStepDeadlineApproaching" not in event_types(request)


def test_a_shorter_workflow_hour_scales_deadlines_reminders_and_escalations() -> None:
    escalating = {
        **step("Manager", "ann"),
        "deadline_hours": 30,
        "escalation": {"to": "admins", "after_hours": 2},
    }
    set_workflow_hour(2.0)
    try:
        request = started(workflow(steps=[escalating]))
    finally:
        set_workflow_hour(3600.0)
    manager = request.current_step
    assert manager is not None
    assert (manager.reminds_at, manager.due_at, manager.escalates_at) == (
        NOW + timedelta(seconds=12),
        NOW + timedelta(seconds=60),
        NOW + timedelta(seconds=64),
    )


def test_a_decided_step_is_not_reminded_of() -> None:
    f = workflow(steps=[{**step("Manager", "ann"), "deadline_hours": 1}])
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    assert request.state is S.AUTHORISED
    assert request.next_due() is None
    assert not request.remind_overdue(NOW + timedelta(hours=2))


def test_a_substitute_decides_in_the_absent_approvers_place_recorded_as_such() -> None:
    f = flow()
    request = started(f)
    request.approve(who("fay"), "for Ann", run_of(f), NOW, on_behalf_of=who("ann").participant())
    assert request.current_step is not None and request.current_step.name == "Finance"
    manager = request.steps[0]
    assert manager.approved_by == [who("ann").user_id]
    entry = request.trail[-1]
    assert entry.action is AuditAction.APPROVED
    assert (entry.actor.name, entry.actor.role) == (who("fay").name, "substitute")
    assert entry.on_behalf_of is not None and entry.on_behalf_of.name == who("ann").name
    request.reject(who("fay"), "no PO", NOW, on_behalf_of=who("cat").participant())
    rejected = [e for e in request.pending_events if isinstance(e, RequestStepDecided)][-1]
    assert rejected.decided_by.name == who("fay").name
    assert rejected.on_behalf_of is not None and rejected.on_behalf_of.name == who("cat").name
    assert who("fay").user_id in request.participants()


def test_a_substitute_cannot_decide_for_someone_the_step_does_not_await() -> None:
    f = flow()
    request = started(f)
    with pytest.raises(NotAParticipant):
        request.approve(who("fay"), None, run_of(f), NOW, on_behalf_of=who("eve").participant())


# ── segregation of duties: requester_may_approve false ─────────────────────────────────


def own_bills_barred(**overrides: Any) -> Any:
    return flow(requester_may_approve=False, **overrides)


def test_a_requester_is_left_out_of_their_own_bills_steps_and_the_trail_says_so() -> None:
    f = own_bills_barred()
    request = started(f, requester=who("ann").actor("requester"))
    assert request.awaiting() == [who("bob").user_id]
    entry = request.trail[-1]
    assert entry.action is AuditAction.APPROVERS_CHANGED and entry.actor == SYSTEM
    assert entry.step is not None and entry.step.name == "Manager"
    change = entry.changes[0]
    assert (change.field, change.before, change.after) == (
        "steps[0].approvers",
        "ann@example.com, bob@example.com",
        "bob@example.com",
    )
    opened = request.pending_events[0]
    assert isinstance(opened, RequestOpened)
    assert [a.user_id for a in opened.awaiting] == [who("bob").user_id]
    with pytest.raises(OwnBill):
        request.approve(who("ann"), None, run_of(f), NOW)
    request.approve(who("bob"), None, run_of(f), NOW)
    # Steps that do not name the requester are left as they are, and recorded as nothing.
    assert request.current_step is not None and request.current_step.name == "Finance"
    assert request.trail[-1].action is AuditAction.APPROVED


def test_a_step_left_with_nobody_falls_to_its_default_then_the_workflows_then_another_admin() -> (
    None
):
    ann = who("ann").actor("requester")
    with_default = own_bills_barred(
        steps=[{**step("Solo", "ann"), "default_approver": "cat@example.com"}]
    )
    assert started(with_default, requester=ann).awaiting() == [who("cat").user_id]
    workflow_default = own_bills_barred(steps=[step("Solo", "ann")])
    assert started(workflow_default, requester=ann).awaiting() == [who("ada").user_id]
    # The requester is the workflow's default approver and the only admin: the first other
    # user who may approve, by email, takes the step.
    ada = who("ada").actor("requester")
    admin_only = own_bills_barred(steps=[step("Solo", "ada")])
    request = started(admin_only, requester=ada)
    assert request.awaiting() == [who("ann").user_id]
    assert request.trail[-1].changes[0].after == "ann@example.com"


def test_a_requester_cannot_approve_their_bill_as_substitute_force_it_or_take_a_place() -> None:
    f = own_bills_barred()
    fay = who("fay").actor("requester")
    request = started(f, requester=fay)
    assert set(request.awaiting()) == {who("ann").user_id, who("bob").user_id}
    with pytest.raises(OwnBill):
        request.approve(who("fay"), None, run_of(f), NOW, on_behalf_of=who("ann").participant())
    with pytest.raises(InvalidAction, match="requested this bill"):
        reassign(request, run_of(f), who("ada"), who("ann"), who("fay"), None, NOW)
    by_admin = started(f, requester=who("ada").actor("requester"))
    with pytest.raises(OwnBill):
        force_approve(by_admin, run_of(f), who("ada"), "mine", NOW)
    assert by_admin.state is S.IN_APPROVAL
    # Rejecting is not approving: the requester, standing in for Ann, may still reject.
    request.reject(who("fay"), "wrong supplier", NOW, on_behalf_of=who("ann").participant())
    assert request.state is S.REJECTED


def test_by_default_a_requester_may_approve_their_own_bill() -> None:
    f = flow()
    request = started(f, requester=who("ann").actor("requester"))
    assert set(request.awaiting()) == {who("ann").user_id, who("bob").user_id}
    assert all(e.action is not AuditAction.APPROVERS_CHANGED for e in request.trail)
    request.approve(who("ann"), None, run_of(f), NOW)
    assert request.current_step is not None and request.current_step.name == "Finance"
