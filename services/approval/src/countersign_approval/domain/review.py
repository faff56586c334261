"""The review step: reviewers recode lines, then submit the bill into the approval steps. While
the organisation's Xero would refuse a pending request's coding (an account archived since it
was submitted), a reviewer of it or an administrator recodes it at any step."""

from __future__ import annotations

from datetime import datetime

from countersign_contracts import AuditAction, MasterData, StepDecision

from countersign_approval.domain.coding import CodingEdit, apply_coding, recheck_coding
from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.people import Participant, Person, Role
from countersign_approval.domain.refusals import NotAParticipant, OutOfTurn
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.run import Run

__all__ = ["edit_coding", "submit_review"]


def _check_reviewer(request: ApprovalRequest, reviewer: Participant) -> None:
    if request.state is not RequestState.IN_REVIEW:
        raise OutOfTurn(f"the request is {request.state}; only a request in review can be edited")
    if not any(p.user_id == reviewer.user_id for p in request.reviewers):
        raise NotAParticipant("you are not a reviewer of this request")


def _editor_role(request: ApprovalRequest, editor: Person) -> str:
    """As whom ``editor`` may recode the request now: a reviewer during the review; a reviewer
    or an administrator at any pending step while Xero would refuse the coding."""
    reviewer = any(p.user_id == editor.user_id for p in request.reviewers)
    if request.state is RequestState.IN_REVIEW and reviewer:
        return "reviewer"
    flagged = bool(request.coding_issues) and request.state in (
        RequestState.IN_REVIEW,
        RequestState.IN_APPROVAL,
    )
    if not flagged:
        _check_reviewer(request, editor)  # refuses: the state, else the person
        raise OutOfTurn(f"the request is {request.state}; only a request in review can be edited")
    if reviewer:
        return "reviewer"
    if editor.has(Role.ADMIN):
        return "admin"
    raise NotAParticipant("only a reviewer of this request or an administrator recodes it")


def edit_coding(
    request: ApprovalRequest,
    editor: Person,
    line_index: int,
    edit: CodingEdit,
    master: MasterData | None,
    now: datetime,
) -> None:
    """Recodes one line with values the organisation's Xero takes (``master``, its latest
    master data); the trail keeps every changed field's before and after, and whether the
    coding is now one Xero takes."""
    role = _editor_role(request, editor)
    request.bill, changes = apply_coding(request.bill, line_index, edit, master)
    step = request.current_step
    request.record(
        now,
        editor.actor(role),
        AuditAction.EDITED,
        step=request.review_ref if step is None else request.step_ref(step),
        changes=changes,
    )
    recheck_coding(request, master, now)


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
