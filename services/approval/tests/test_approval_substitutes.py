"""Who a substitute decides for and what they may read, and a reassignment naming people by
email: the rules the API once applied itself, now pure functions of the domain."""

from __future__ import annotations

import pytest
from countersign_approval.domain.absences import decided_for, stands_in_on
from countersign_approval.domain.interventions import reassign_by_email
from countersign_approval.domain.refusals import InvalidAction, NotAParticipant, OutOfTurn

from services.approval.tests.approval_builders import (
    NOW,
    new_request,
    run_of,
    started,
    who,
    workflow,
)

# One step that waits for both Ann and Bob.
BOTH = workflow(
    steps=[
        {
            "name": "Managers",
            "completion": "all",
            "approvers": [{"approver": "ann@example.com"}, {"approver": "bob@example.com"}],
        }
    ]
)


def test_a_substitute_decides_for_the_one_absent_approver_the_step_awaits() -> None:
    request = started(BOTH)
    cat = who("cat")
    assert decided_for(request, cat, [who("ann")], None) == who("ann").participant()
    assert decided_for(request, cat, [who("ann"), who("dan")], None) == who("ann").participant()
    assert decided_for(request, cat, [], None) is None


def test_an_approver_of_the_step_decides_for_themselves_unless_they_name_someone() -> None:
    request = started(BOTH)
    bob = who("bob")
    assert decided_for(request, bob, [who("ann")], None) is None
    assert decided_for(request, bob, [who("ann")], "ann@example.com") == who("ann").participant()


def test_a_substitute_for_several_must_name_one_and_only_someone_they_stand_in_for() -> None:
    request = started(BOTH)
    cat = who("cat")
    with pytest.raises(InvalidAction, match="name one in on_behalf_of"):
        decided_for(request, cat, [who("ann"), who("bob")], None)
    with pytest.raises(NotAParticipant, match=r"you do not stand in for bob@example\.com now"):
        decided_for(request, cat, [who("ann")], "bob@example.com")


def test_a_substitute_reads_only_what_awaits_someone_they_stand_in_for() -> None:
    request = started(BOTH)
    assert stands_in_on(request, [who("dan"), who("bob")])
    assert not stands_in_on(request, [who("dan")])
    assert not stands_in_on(new_request(), [who("ann")])


def test_a_reassignment_names_current_users_of_a_running_request() -> None:
    request = started(BOTH)
    run, ada = run_of(BOTH), who("ada").participant()
    with pytest.raises(InvalidAction, match=r"zed@example\.com is not a user"):
        reassign_by_email(request, run, ada, "ann@example.com", "zed@example.com", None, NOW)
    with pytest.raises(OutOfTurn, match="awaits no approver"):
        reassign_by_email(new_request(), None, ada, "ann@example.com", "cat@example.com", None, NOW)
    reassign_by_email(request, run, ada, "ann@example.com", "cat@example.com", None, NOW)
    assert request.awaiting() == [who("cat").user_id, who("bob").user_id]
