"""The review step: reviewers recode lines, then submit the bill into the approval steps."""

from __future__ import annotations

from datetime import datetime

from countersign_contracts import AuditAction, StepDecision

from countersign_approval.domain.coding import CodingEdit, apply_coding
from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.people import Participant
from countersign_approval.domain.refusals import NotAParticipant, OutOfTurn
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.run import Run

__all__ = ["edit_coding", "submit_review"]


def _check_reviewer(request: ApprovalRequest, reviewer: Participant) -> None:
    if request.state is not RequestState.IN_REVIEW:
        raise OutOfTurn(f"the request is {request.state}; only a request in review can be edited")
    if not any(p.user_id == reviewer.user_id for p in request.reviewers):
        raise NotAParticipant("you are not a reviewer of this request")


def edit_coding(
    request: ApprovalRequest,
    reviewer: Participant,
    line_index: int,
    edit: CodingEdit,
    now: datetime,
) -> None:
    """Recodes one line; the trail keeps every changed field's before and after."""
    _check_reviewer(request, reviewer)
    request.bill, changes = apply_coding(request.bill, line_index, edit)
    request.record(
        now,
        reviewer.actor("reviewer"),
        AuditAction.EDITED,
        step=request.review_ref,
        changes=changes,
    )


def submit_review(
    request: ApprovalRequest, reviewer: Participant, comment: str | None, run: Run, now: datetime
) -> None:
    """Ends the review: auto-approval rules, then the first step, on the recoded bill."""
    _check_reviewer(request, reviewer)
    actor = reviewer.actor("reviewer")
    request.record(
        now, actor, AuditAction.REVIEW_SUBMITTED, step=request.review_ref, comment=comment
    )
    request.step_decided(
        request.review_ref, StepDecision.REVIEW_SUBMITTED, actor, comment, now, forced=False
    )
    decided = request.pending_events[-1]
    request.after_review(run, now)
    step = request.current_step
    if step is not None:
        # The decision event names the step the review handed over to, and whom it awaits.
        index = request.pending_events.index(decided)
        request.pending_events[index] = decided.model_copy(
            update={"next_step": request.step_ref(step), "awaiting": request.awaiting_actors()}
        )
