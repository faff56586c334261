"""The rules that bind an organisation's people to its workflow, and the absence rules, as
pure functions: what a workflow may ask of whom, who may not be removed or lose a role while
work depends on them, and what an absence may be."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from countersign_approval.domain.absences import absence, check_may_set
from countersign_approval.domain.people import Person, Role
from countersign_approval.domain.refusals import AbsenceRefused, UserInUse, WorkflowRefused
from countersign_approval.domain.staffing import (
    approvers_short,
    check_not_needed,
    check_workflow_people,
    work_needing,
)
from countersign_approval.domain.tokens import TOKEN_PREFIX, hash_token, new_token
from countersign_platform.refusals import Forbidden

from services.approval.tests.approval_builders import (
    NOW,
    PEOPLE,
    person,
    saved,
    step,
    who,
    work,
    workflow,
)

OWN_BILLS_KEPT = {"requester_may_approve": False}


def test_keeping_requesters_from_their_own_bills_needs_two_who_may_approve() -> None:
    kept = workflow(steps=[step("Manager", "ann")], **OWN_BILLS_KEPT)
    reviewer = person("rex", Role.REVIEWER)
    assert approvers_short(kept, [who("ann"), reviewer]) == 1
    assert approvers_short(kept, [who("ann"), who("ada")]) is None
    assert approvers_short(workflow(steps=[step("Manager", "ann")]), [who("ann")]) is None


def test_a_workflow_naming_people_who_cannot_do_their_part_is_refused_by_field_and_rule() -> None:
    document = workflow(
        review={"reviewers": ["ann@example.com"]},
        steps=[step("Manager", "rex", "zed")],
        **OWN_BILLS_KEPT,
    )
    people = {p.email: p for p in (who("ann"), who("rex"), who("ada"))}
    with pytest.raises(WorkflowRefused) as refused:
        check_workflow_people(document, people)
    assert [(e.field, e.rule) for e in refused.value.errors] == [
        ("review.reviewers[0]", "role_required"),
        ("steps[0].approvers[0].approver", "role_required"),
        ("steps[0].approvers[1].approver", "unknown_user"),
    ]
    check_workflow_people(workflow(steps=[step("Manager", "ann")]), PEOPLE)


def test_the_two_approvers_rule_names_the_setting_and_counts_who_may_approve() -> None:
    with pytest.raises(WorkflowRefused) as refused:
        check_workflow_people(
            workflow(steps=[step("Manager", "ada")], **OWN_BILLS_KEPT),
            {"ada@example.com": who("ada")},
        )
    (error,) = refused.value.errors
    assert (error.field, error.rule) == ("requester_may_approve", "two_approvers_required")
    assert error.message.endswith("the organisation has 1")


def test_nothing_depends_on_a_user_the_workflows_do_not_need() -> None:
    current = saved(workflow(steps=[step("Manager", "ann")]))
    assert work_needing(who("bob"), None, work(others=[who("ada")], current=current)) == []
    ann_as_admin = who("ann").changed(None, frozenset({Role.ADMIN}))
    assert work_needing(who("ann"), ann_as_admin, work(current=current, others=[who("ada")])) == []


def test_every_piece_of_work_that_depends_on_a_user_is_named_in_order() -> None:
    ann, rex = who("ann"), who("rex")
    ann_as_admin = person("ann", Role.ADMIN)
    v1 = workflow(steps=[step("Manager", "ann")])
    current = saved(workflow(steps=[step("Manager", "ann")], **OWN_BILLS_KEPT), version=2)
    on_hand = work(
        others=[rex],
        current=current,
        running={1: v1},
        awaiting=3,
        stands_in_for=[rex.user_id],
    )
    assert work_needing(ann_as_admin, None, on_hand) == [
        "they are the organisation's only admin: add another admin first",
        "pending requests run on workflow version 1, which names them at"
        " steps[0].approvers[0].approver: they must be decided (or force-decided) first",
        "the current workflow (version 2) names them at steps[0].approvers[0].approver:"
        " save a version without them",
        "the current workflow keeps requesters from approving their own bills, which needs"
        " two users who may approve: give someone else the approver role first",
        "3 pending request(s) await their decision: reassign them",
        "they stand in for rex@example.com while away: give that absence another substitute"
        " or clear it",
    ]
    with pytest.raises(UserInUse) as in_use:
        check_not_needed(ann, person("ann", Role.AUDITOR), on_hand)
    assert len(in_use.value.reasons) == 5  # Ann is no admin: the first reason is not hers


def test_an_absence_names_each_field_and_rule_it_breaks() -> None:
    ann, bob = who("ann"), who("bob")

    def refused(substitute: Person | None, starts_in_h: float, lasts_h: float) -> list[Any]:
        starts = NOW + timedelta(hours=starts_in_h)
        email = substitute.email if substitute else "zed@example.com"
        with pytest.raises(AbsenceRefused) as refusal:
            absence(ann.user_id, email, substitute, starts, starts + timedelta(hours=lasts_h), NOW)
        return [(e.field, e.rule) for e in refusal.value.errors]

    assert refused(None, -1, 24) == [("substitute_email", "unknown_user")]
    assert refused(ann, -1, 24) == [("substitute_email", "not_self")]
    assert refused(who("aud"), -1, 24) == [("substitute_email", "role_required")]
    assert refused(bob, -1, -1) == [("ends_at", "after_start")]
    assert refused(bob, -48, 24) == [("ends_at", "in_future")]
    assert refused(bob, -1, 24 * 400) == [("ends_at", "max_length")]
    away = absence(ann.user_id, bob.email, bob, NOW, NOW + timedelta(days=5), NOW)
    assert (away.user_id, away.substitute) == (ann.user_id, bob)


def test_a_user_sets_their_own_absence_and_only_an_admin_sets_someone_elses() -> None:
    ann = who("ann")
    check_may_set(ann, ann.user_id)
    check_may_set(who("ada"), ann.user_id)
    with pytest.raises(Forbidden):
        check_may_set(who("bob"), ann.user_id)


def test_a_token_is_shown_once_and_kept_as_its_hash() -> None:
    issued = new_token(who("ann"))
    assert issued.token.startswith(TOKEN_PREFIX) and len(issued.token) > 40
    assert issued.token_sha256 == hash_token(issued.token) != issued.token
    assert new_token(who("ann")).token != issued.token
