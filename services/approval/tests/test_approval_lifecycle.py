"""The request state machine: what is allowed, and that nothing else is."""

from __future__ import annotations

import pytest
from countersign_approval.domain.lifecycle import (
    PENDING,
    TRANSITIONS,
    RequestState as S,
    TransitionRefused,
    can_transition,
    transition,
)
from hypothesis import given, strategies as st

# In a fixed order (targets are sets): every test process collects the same ids.
ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
REFUSED = [(a, b) for a in S for b in S if b not in TRANSITIONS[a]]


def test_every_state_has_a_row_in_the_machine() -> None:
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_drawn_transitions_are_allowed(current: S, target: S) -> None:
    assert transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.AUTHORISED, S.SUPERSEDED),
        (S.AUTHORISED, S.CANCELLED),
        (S.PUBLISHED, S.PUBLISHING),
        (S.REJECTED, S.AUTHORISED),
        (S.REJECTED, S.IN_APPROVAL),
        (S.SUPERSEDED, S.IN_APPROVAL),
        (S.CANCELLED, S.AUTHORISED),
        (S.OPENED, S.PUBLISHING),
        (S.IN_REVIEW, S.PUBLISHED),
        (S.PUBLISHING, S.AUTHORISED),
    ],
)
def test_undrawn_transitions_raise(current: S, target: S) -> None:
    with pytest.raises(TransitionRefused, match=f"from {current} to {target}"):
        transition(current, target)


def test_terminal_states_go_nowhere() -> None:
    for state in (S.PUBLISHED, S.SUPERSEDED, S.CANCELLED):
        assert TRANSITIONS[state] == frozenset()


def test_only_pending_and_rejected_requests_can_be_superseded_or_cancelled() -> None:
    for state in S:
        expected = state in PENDING or state is S.REJECTED
        assert can_transition(state, S.SUPERSEDED) is expected
        # A publication given up before Xero leaves an item Dext may still withdraw.
        withdrawable = expected or state is S.PUBLICATION_CANCELLED
        assert can_transition(state, S.CANCELLED) is withdrawable


def test_nothing_reaches_the_ledger_without_authorisation() -> None:
    for state in S:
        if S.PUBLISHING in TRANSITIONS[state]:
            assert state in (S.AUTHORISED, S.PUBLISH_FAILED)


@given(st.lists(st.tuples(st.sampled_from(list(S)), st.sampled_from(list(S))), max_size=30))
def test_no_transition_leaves_the_machine(moves: list[tuple[S, S]]) -> None:
    for current, target in moves:
        if can_transition(current, target):
            assert transition(current, target) in TRANSITIONS[current]
        else:
            with pytest.raises(TransitionRefused):
                transition(current, target)


@given(st.lists(st.sampled_from(list(S)), max_size=40))
def test_a_walk_from_opened_stays_inside_the_machine(targets: list[S]) -> None:
    state = S.OPENED
    for target in targets:
        try:
            state = transition(state, target)
        except TransitionRefused:
            assert target not in TRANSITIONS[state]
        assert state in TRANSITIONS
