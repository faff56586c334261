"""Escalation: a step still undecided ``after_hours`` past its deadline is handed, in addition
to its approvers, to the target its workflow names (a user, or the organisation's admins as
they are then).

    deadline ─▶ RequestStepOverdue ─(after_hours)─▶ RequestStepEscalated
                                                     targets join the step's awaited people;
                                                     one target's approval completes it, a
                                                     target's rejection rejects the request;
                                                     its approvers may still decide

Once per step (``StepProgress.escalated_at``). The requester never becomes a target when the
workflow keeps them from approving their own bill, nor does anyone who already approved the
step; when that leaves nobody, the step goes to whoever ``Run.stand_in`` picks, and the trail
says why.
"""

from __future__ import annotations

from datetime import datetime

from countersign_contracts import AuditAction, RequestStepEscalated

from countersign_approval.domain.people import SYSTEM, Participant, Person, Role
from countersign_approval.domain.record import StepProgress
from countersign_approval.domain.run import Run
from countersign_approval.domain.steps import SteppedRequest
from countersign_approval.domain.workflow import ADMINS, Escalation

__all__ = ["escalate", "escalation_due"]


def escalation_due(request: SteppedRequest, now: datetime) -> bool:
    """Whether the current step is undecided past its escalation time and not escalated yet."""
    step = request.current_step
    return (
        step is not None
        and step.escalated_at is None
        and step.escalates_at is not None
        and step.escalates_at <= now
    )


def escalate(request: SteppedRequest, run: Run, now: datetime) -> bool:
    """Escalates the current step when it is due (``escalation_due``): records ``escalated``
    in the trail and RequestStepEscalated; False when there is nothing to escalate."""
    step = request.current_step
    if step is None or not escalation_due(request, now):
        return False
    rule = run.workflow.steps[step.index].escalation
    assert rule is not None and request.workflow is not None and step.due_at is not None
    targets, fallback = _targets(request, step, rule, run)
    step.escalated_at = now
    step.escalated_to = targets
    named = ", ".join(p.email for p in targets) or "nobody: no one else may approve it"
    whom = "the organisation's admins" if rule.to == ADMINS else rule.to
    comment = f"undecided {rule.after_hours} h after its deadline; escalated to {whom}"
    if fallback is not None:
        comment += f", but {fallback}; escalated to {named} instead"
    elif rule.to == ADMINS:
        comment += f" ({named})"
    ref = request.step_ref(step)
    request.record(now, SYSTEM, AuditAction.ESCALATED, step=ref, comment=comment)
    request.emit(
        RequestStepEscalated(
            **request.about(),
            workflow=request.workflow,
            step=ref,
            escalated_to=[p.actor("escalation") for p in targets],
            awaiting=request.awaiting_actors(),
            due_at=step.due_at,
            escalated_at=now,
        )
    )
    return True


def _targets(
    request: SteppedRequest, step: StepProgress, rule: Escalation, run: Run
) -> tuple[list[Participant], str | None]:
    """Who the step goes to, and, when the workflow's target cannot take it, why."""
    if rule.to == ADMINS:
        named = sorted((p for p in run.people.values() if p.has(Role.ADMIN)), key=_email)
    else:
        named = [run.people[rule.to]] if rule.to in run.people else []
    requester = request.own_bill_of(run)
    barred = {*step.approved_by, *([] if requester is None else [requester])}
    able = [p.participant() for p in named if p.may_approve and p.user_id not in barred]
    if able:
        return able, None
    if requester is not None and any(p.user_id == requester for p in named):
        why = "the requester does not approve their own bill (segregation of duties)"
    elif named:
        why = "they already approved the step"
    else:
        why = "nobody holds that place now"
    stand_in = run.stand_in(step.index, *barred)
    return ([] if stand_in is None else [stand_in]), why


def _email(person: Person) -> str:
    return person.email
