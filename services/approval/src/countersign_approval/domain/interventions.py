"""What an administrator may do to a running request, each recorded as such: force-approve,
force-reject, reassign an approver."""

from __future__ import annotations

from datetime import datetime

from countersign_contracts import (
    AuditAction,
    FieldChange,
    RequestApproverReassigned,
    StepDecision,
)

from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.people import Participant, Person
from countersign_approval.domain.record import StepProgress
from countersign_approval.domain.refusals import InvalidAction, OutOfTurn
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.run import Run

__all__ = ["force_approve", "force_reject", "reassign", "reassign_by_email"]

_RUNNING = (RequestState.IN_REVIEW, RequestState.IN_APPROVAL)


def _check_running(request: ApprovalRequest, what: str) -> None:
    if request.state not in _RUNNING:
        raise OutOfTurn(f"the request is {request.state}; only a running request can be {what}")


def force_approve(
    request: ApprovalRequest, run: Run | None, admin: Participant, comment: str, now: datetime
) -> None:
    """Authorises at once, whatever the remaining steps and reviewers; never the requester's
    own bill when ``run``'s workflow keeps requesters from approving theirs."""
    _check_running(request, "force-approved")
    request.check_not_own_bill(admin, run)
    step = request.current_step
    ref = request.step_ref(step) if step is not None else request.review_ref
    actor = admin.actor("admin")
    request.record(now, actor, AuditAction.FORCE_APPROVED, step=ref, comment=comment)
    request.step_decided(ref, StepDecision.APPROVED, actor, comment, now, forced=True)
    request.authorise(now)


def force_reject(request: ApprovalRequest, admin: Participant, reason: str, now: datetime) -> None:
    _check_running(request, "force-rejected")
    step = request.current_step
    ref = request.step_ref(step) if step is not None else request.review_ref
    actor = admin.actor("admin")
    request.record(now, actor, AuditAction.FORCE_REJECTED, step=ref, comment=reason)
    request.step_decided(ref, StepDecision.REJECTED, actor, reason, now, forced=True)
    request.rejected(actor, reason, None, now, forced=True)


def _check_reassignable(
    request: ApprovalRequest, run: Run | None, current: Participant, replacement: Person
) -> StepProgress:
    """The current step, when ``current``'s place in it may go to ``replacement``."""
    step = request.current_step
    if step is None:
        raise OutOfTurn(f"the request is {request.state}; it awaits no approver")
    if not step.waits_for(current.user_id):
        raise InvalidAction(f"{current.email} is not awaited in step '{step.name}'")
    if not replacement.may_approve:
        raise InvalidAction(f"{replacement.email} has neither the approver nor the admin role")
    if replacement.user_id == request.own_bill_of(run):
        raise InvalidAction(
            f"{replacement.email} requested this bill, and the workflow does not let a requester"
            " approve their own bill"
        )
    if step.takes_part(replacement.user_id):
        raise InvalidAction(f"{replacement.email} is already an approver of step '{step.name}'")
    return step


def reassign(
    request: ApprovalRequest,
    run: Run | None,
    admin: Participant,
    current: Participant,
    replacement: Person,
    comment: str | None,
    now: datetime,
) -> None:
    """Hands one approver's place in the current step to someone else."""
    step = _check_reassignable(request, run, current, replacement)
    role = step.role_of(current.user_id)

    def handed_over(people: list[Participant]) -> list[Participant]:
        # The place ``current`` holds, as approver or as escalation target.
        return [replacement.participant() if p.user_id == current.user_id else p for p in people]

    step.approvers = handed_over(step.approvers)
    step.escalated_to = handed_over(step.escalated_to)
    ref, by = request.step_ref(step), admin.actor("admin")
    request.record(
        now,
        by,
        AuditAction.REASSIGNED,
        step=ref,
        comment=comment,
        on_behalf_of=current.actor(role),
        changes=[
            FieldChange(
                field=f"steps[{ref.index}].approvers",
                before=current.email,
                after=replacement.email,
            )
        ],
    )
    assert request.workflow is not None
    request.emit(
        RequestApproverReassigned(
            **request.about(),
            workflow=request.workflow,
            step=ref,
            reassigned_by=by,
            replaced=current.actor(role),
            replacement=replacement.participant().actor(role),
            comment=comment,
            awaiting=request.awaiting_actors(),
            reassigned_at=now,
        )
    )


def reassign_by_email(
    request: ApprovalRequest,
    run: Run | None,
    admin: Participant,
    from_email: str,
    to_email: str,
    comment: str | None,
    now: datetime,
) -> None:
    """``reassign``, naming both people by email among the organisation's current users
    (``run.people``, read in the transaction that holds the request)."""
    if run is None:
        raise OutOfTurn(f"the request is {request.state}; it awaits no approver")
    current, replacement = run.people.get(from_email), run.people.get(to_email)
    if current is None or replacement is None:
        missing = from_email if current is None else to_email
        raise InvalidAction(f"{missing} is not a user of the organisation")
    reassign(request, run, admin, current, replacement, comment, now)
