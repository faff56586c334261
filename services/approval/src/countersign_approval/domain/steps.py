"""How a request moves through the steps of its workflow: who each step waits for (the
requester left out when the workflow keeps them from approving their own bill), approvals
counted and, under the "once" policy, carried into later steps, and the step's deadline.
``request.ApprovalRequest`` adds how a request starts and how people decide."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_contracts import (
    Actor,
    AuditAction,
    FieldChange,
    RequestStepDeadlineApproaching,
    RequestStepDecided,
    RequestStepOverdue,
    StepDecision,
)

from countersign_approval.domain import matrix
from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.people import SYSTEM, Participant
from countersign_approval.domain.record import RequestRecord, StepProgress
from countersign_approval.domain.run import Run
from countersign_approval.domain.workflow import DecisionPolicy
from countersign_approval.domain.workflow_hours import REMINDER_LEAD_HOURS, hours

__all__ = ["SteppedRequest"]


class SteppedRequest(RequestRecord):
    """A request between its start and its outcome: in review, or in a step."""

    def own_bill_of(self, run: Run | None) -> UUID | None:
        """The requester, when the workflow keeps them from approving their own bill."""
        if run is None or run.workflow.requester_may_approve:
            return None
        return self.requester.user_id

    def after_review(self, run: Run, now: datetime) -> None:
        """What follows the review (or the start, without one): an auto-approval rule that
        matches the bill as it now stands authorises it — unless Xero would refuse its coding —
        else the first step."""
        facts = matrix.facts_of(self.bill, run.base_currency)
        rule = matrix.matching_auto_approval(run.workflow, facts)
        if rule is not None and not self.coding_issues:
            self.auto_approved = True
            self.record(
                now, SYSTEM, AuditAction.AUTO_APPROVED, comment=f"auto-approval rule {rule + 1}"
            )
            self.authorise(now)
            return
        if rule is not None:
            # Nobody authorises a bill Xero would refuse: people look at it first.
            self.record(
                now,
                SYSTEM,
                AuditAction.COMMENTED,
                comment=f"auto-approval rule {rule + 1} held back: Xero would refuse the coding",
            )
        self.enter_step(0, run, now)

    def enter_step(self, index: int, run: Run, now: datetime) -> None:
        definition = run.workflow.steps[index]
        approvers, left_out = self._approvers_of(index, run)
        self.move(RequestState.IN_APPROVAL)
        deadline, escalation = definition.deadline_hours, definition.escalation
        due = None if deadline is None else now + hours(deadline)
        step = StepProgress(
            index=index,
            name=definition.name,
            completion=definition.completion,
            approvers=approvers,
            entered_at=now,
            due_at=due,
            # A deadline a day or less away was just told with the step: no reminder before.
            reminds_at=(
                None
                if deadline is None or deadline <= REMINDER_LEAD_HOURS
                else now + hours(deadline - REMINDER_LEAD_HOURS)
            ),
            escalates_at=(
                None if due is None or escalation is None else due + hours(escalation.after_hours)
            ),
        )
        self.steps.append(step)
        if left_out is not None:
            ref = self.step_ref(step)
            self.record(
                now,
                SYSTEM,
                AuditAction.APPROVERS_CHANGED,
                step=ref,
                comment="the requester does not approve their own bill (segregation of duties)",
                changes=[
                    FieldChange(
                        field=f"steps[{ref.index}].approvers",
                        before=", ".join(p.email for p in left_out),
                        after=", ".join(p.email for p in approvers) or None,
                    )
                ],
            )
        if run.workflow.decision_policy is DecisionPolicy.ONCE:
            self._carry_earlier_approvals(step, run, now)

    def _approvers_of(
        self, index: int, run: Run
    ) -> tuple[list[Participant], list[Participant] | None]:
        """Who step ``index`` waits for on the bill as it stands, and, when the requester had
        to be left out of them, who the matrix named."""
        emails = matrix.step_approvers(
            run.workflow.steps[index],
            matrix.facts_of(self.bill, run.base_currency),
            run.workflow.default_approver,
        )
        named = [run.people[e].participant() for e in emails if e in run.people]
        if not named and run.workflow.default_approver in run.people:
            named = [run.people[run.workflow.default_approver].participant()]
        barred = self.own_bill_of(run)
        if barred is None or all(p.user_id != barred for p in named):
            return named, None
        others = [p for p in named if p.user_id != barred]
        if not others and (stand_in := run.stand_in(index, barred)) is not None:
            others = [stand_in]
        return others, named

    def next_due(self) -> datetime | None:
        """When the deadline pass next has something to do for the current step: remind of
        its deadline, then escalate it; None once both are done (or the step has neither)."""
        step = self.current_step
        if step is None:
            return None
        reminder = step.due_at if step.overdue_at is None else None
        # Once the deadline passed, the reminder before it has nothing left to say.
        approaching = step.reminds_at if step.reminded_at is None and reminder else None
        escalation = step.escalates_at if step.escalated_at is None else None
        due = (approaching, reminder, escalation)
        return min((t for t in due if t is not None), default=None)

    def remind_deadline_approaching(self, now: datetime) -> bool:
        """Emits RequestStepDeadlineApproaching when the current step's reminder time (24
        workflow hours before its deadline) has come; not once the deadline itself has passed
        (RequestStepOverdue says more). False when there is nothing to remind of."""
        step = self.current_step
        if step is None or step.reminded_at is not None or step.reminds_at is None:
            return False
        if step.reminds_at > now:
            return False
        assert self.workflow is not None and step.due_at is not None
        step.reminded_at = now
        if step.due_at <= now:
            return False
        self._events.append(
            RequestStepDeadlineApproaching(
                **self.about(),
                workflow=self.workflow,
                step=self.step_ref(step),
                awaiting=self.awaiting_actors(),
                entered_at=step.entered_at or now,
                due_at=step.due_at,
            )
        )
        return True

    def remind_overdue(self, now: datetime) -> bool:
        """Emits RequestStepOverdue when the current step's deadline has passed undecided;
        False when there is nothing to remind of (decided, moved on, or already reminded)."""
        step = self.current_step
        due = None if step is None or step.overdue_at is not None else step.due_at
        if step is None or due is None or due > now:
            return False
        assert self.workflow is not None
        step.overdue_at = now
        self._events.append(
            RequestStepOverdue(
                **self.about(),
                workflow=self.workflow,
                step=self.step_ref(step),
                awaiting=self.awaiting_actors(),
                entered_at=step.entered_at or due,
                due_at=due,
            )
        )
        return True

    def _carry_earlier_approvals(self, step: StepProgress, run: Run, now: datetime) -> None:
        """Under the 'once' policy an approver who approved an earlier step counts as having
        approved this one too."""
        earlier = {user for previous in self.steps[:-1] for user in previous.approved_by}
        for person in step.approvers:
            # Stop once the step is complete: one carried approval may already have moved
            # the request on.
            if person.user_id in earlier and self.current_step is step and not step.complete:
                self._approve_in_step(
                    step,
                    SYSTEM,
                    person,
                    comment="approved in an earlier step; the decision policy counts it once",
                    forced=False,
                    run=run,
                    now=now,
                )

    def _approve_in_step(
        self,
        step: StepProgress,
        actor: Actor,
        on_behalf_of: Participant | None,
        comment: str | None,
        *,
        forced: bool,
        run: Run,
        now: datetime,
    ) -> None:
        assert self.workflow is not None
        decided_for = on_behalf_of.user_id if on_behalf_of is not None else actor.user_id
        assert decided_for is not None
        step.approved_by.append(decided_for)
        behalf = self.record_decision(step, actor, AuditAction.APPROVED, comment, on_behalf_of, now)
        mark = len(self._events)
        if step.complete:
            if step.index + 1 < len(run.workflow.steps):
                self.enter_step(step.index + 1, run, now)
            else:
                self.authorise(now)
        following = self.current_step
        self._events.insert(
            mark,
            RequestStepDecided(
                **self.about(),
                workflow=self.workflow,
                step=self.step_ref(step),
                decision=StepDecision.APPROVED,
                decided_by=actor,
                on_behalf_of=behalf,
                forced=forced,
                comment=comment,
                step_completed=step.complete,
                next_step=(
                    self.step_ref(following)
                    if following is not None and following is not step
                    else None
                ),
                awaiting=self.awaiting_actors(),
                decided_at=now,
            ),
        )

    def record_decision(
        self,
        step: StepProgress,
        actor: Actor,
        action: AuditAction,
        comment: str | None,
        on_behalf_of: Participant | None,
        now: datetime,
    ) -> Actor | None:
        """Puts an approver's decision on ``step`` in the trail; returns the absent approver
        it was taken for (``on_behalf_of``) as the events name them."""
        behalf = None
        if on_behalf_of is not None:
            behalf = on_behalf_of.actor(step.role_of(on_behalf_of.user_id))
        self.record(
            now, actor, action, step=self.step_ref(step), comment=comment, on_behalf_of=behalf
        )
        return behalf
