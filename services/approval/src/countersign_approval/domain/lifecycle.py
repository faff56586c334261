"""The approval request's states and the only transitions between them.

    opened ───────────────▶ awaiting_workflow        (the organisation has no workflow yet)
      │                          │ a workflow is saved
      ├◀─────────────────────────┘
      ├──▶ in_review ──review submitted──┐
      │        │                         ▼
      ├────────┼────────────────────▶ in_approval ──▶ in_approval   (step k ─▶ step k+1)
      │        │                      │        │
      │        └──▶ rejected ◀────────┼────────┘                    (a rejection or force-reject)
      │                               ▼
      └──(auto-approval)────────▶ authorised          (the last step, or a force-approve)
                                      │
                                      ├──▶ publishing ──▶ published
                                      │       │  ▲          ▲
                                      │       ▼  │ retry    │
                                      └──▶ publish_failed ──┘
                                               │ the publisher gave it up (an admin asked)
                                               ▼
                                         publication_cancelled

    superseded (a newer item version)  ◀── opened, awaiting_workflow, in_review, in_approval,
    cancelled  (withdrawn in Dext)     ◀── or rejected

A pending state is one where the workflow still runs: opened, awaiting_workflow, in_review,
in_approval. Once authorised, a request can no longer be superseded or cancelled: it is on its
way to the ledger. Every move goes through ``transition``, which refuses anything not drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from countersign_platform.refusals import Conflict

__all__ = [
    "PENDING",
    "TRANSITIONS",
    "RequestState",
    "TransitionRefused",
    "can_transition",
    "transition",
]


class RequestState(StrEnum):
    OPENED = "opened"
    AWAITING_WORKFLOW = "awaiting_workflow"
    IN_REVIEW = "in_review"
    IN_APPROVAL = "in_approval"
    AUTHORISED = "authorised"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PUBLISH_FAILED = "publish_failed"
    PUBLICATION_CANCELLED = "publication_cancelled"


S = RequestState
PENDING = frozenset({S.OPENED, S.AWAITING_WORKFLOW, S.IN_REVIEW, S.IN_APPROVAL})
_STOPPED = frozenset({S.SUPERSEDED, S.CANCELLED})

TRANSITIONS: Mapping[RequestState, frozenset[RequestState]] = MappingProxyType(
    {
        S.OPENED: frozenset({S.AWAITING_WORKFLOW, S.IN_REVIEW, S.IN_APPROVAL, S.AUTHORISED})
        | _STOPPED,
        S.AWAITING_WORKFLOW: frozenset({S.IN_REVIEW, S.IN_APPROVAL, S.AUTHORISED}) | _STOPPED,
        S.IN_REVIEW: frozenset({S.IN_APPROVAL, S.AUTHORISED, S.REJECTED}) | _STOPPED,
        # in_approval → in_approval is the move from step k to step k+1.
        S.IN_APPROVAL: frozenset({S.IN_APPROVAL, S.AUTHORISED, S.REJECTED}) | _STOPPED,
        S.REJECTED: _STOPPED,
        # A failure before the bill exists in Xero skips publishing.
        S.AUTHORISED: frozenset({S.PUBLISHING, S.PUBLISH_FAILED}),
        S.PUBLISHING: frozenset({S.PUBLISHED, S.PUBLISH_FAILED}),
        # The publisher may retry by itself (a retryable failure) and then succeed, or an
        # administrator asks it to retry.
        S.PUBLISH_FAILED: frozenset({S.PUBLISHING, S.PUBLISHED, S.PUBLICATION_CANCELLED}),
        # Nothing of it reached Xero: Dext may publish the item anew (a new request), or
        # withdraw it.
        S.PUBLICATION_CANCELLED: frozenset({S.CANCELLED}),
        S.PUBLISHED: frozenset(),
        S.SUPERSEDED: frozenset(),
        S.CANCELLED: frozenset(),
    }
)


class TransitionRefused(Conflict):
    """A move the state machine does not have (409 "Not possible in this state")."""

    def __init__(self, current: RequestState, target: RequestState) -> None:
        super().__init__(f"a request cannot go from {current} to {target}")
        self.current = current
        self.target = target


def can_transition(current: RequestState, target: RequestState) -> bool:
    return target in TRANSITIONS[current]


def transition(current: RequestState, target: RequestState) -> RequestState:
    """``target`` if the machine allows it; raises ``TransitionRefused`` otherwise."""
    if not can_transition(current, target):
        raise TransitionRefused(current, target)
    return target
