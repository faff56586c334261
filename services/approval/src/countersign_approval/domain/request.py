"""The approval request: one cost item version going through one workflow version.

The request records what happened in its audit trail and the events to publish in
``pending_events``; the caller saves both in one transaction. Every state change goes through
``lifecycle.transition``. The workflow and the organisation's people are handed in
(``Run``) when the request needs them, so the request stays a plain value.

Step positions on the wire (``StepRef.index``) count the review as position 0 when the
workflow has one, so the approval steps are 1..n; without a review they are 0..n-1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from countersign_contracts import (
    Actor,
    AuditAction,
    AuditEntry,
    Bill,
    FieldChange,
    RequestOpened,
    RequestStepDecided,
    RequestStepOverdue,
    StepDecision,
    WorkflowRef,
)

from countersign_approval.domain import matrix
from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.people import SYSTEM, Directory, Participant, Role
from countersign_approval.domain.record import REVIEW_STEP_NAME, RequestRecord, StepProgress
from countersign_approval.domain.refusals import NotAParticipant, OutOfTurn, OwnBill
from countersign_approval.domain.workflow import DecisionPolicy, Workflow

__all__ = ["REVIEW_STEP_NAME", "ApprovalRequest", "Run", "StepProgress"]


@dataclass(frozen=True)
class Run:
    """What the request needs to move through its workflow."""

    workflow: Workflow
    ref: WorkflowRef
    people: Directory
    base_currency: str

    def stand_in(self, step_index: int, barred: UUID) -> Participant | None:
        """Who approves a step left with nobody once the requester ``barred`` is left out: its
        default approver, the workflow's, else the first other admin, then approver, by email."""
        named = (self.workflow.steps[step_index].default_approver, self.workflow.default_approver)
        by_email = sorted(self.people.values(), key=lambda p: p.email)
        candidates = [
            *(self.people[e] for e in named if e is not None and e in self.people),
            *(p for p in by_email if p.has(Role.ADMIN)),
            *(p for p in by_email if p.may_approve),
        ]
        chosen = next((p for p in candidates if p.may_approve and p.user_id != barred), None)
        return None if chosen is None else chosen.participant()


class ApprovalRequest(RequestRecord):
    """A request that walks its workflow: review, auto-approval, then the steps in order."""

    # ── opening ─────────────────────────────────────────────────────────────────────────

    @classmethod
    def open(
        cls,
        *,
        request_id: UUID,
        organisation_id: UUID,
        dext_item_id: str,
        item_version: int,
        bill: Bill,
        requester: Actor,
        submitted_at: datetime,
        now: datetime,
        previous: ApprovalRequest | None = None,
    ) -> ApprovalRequest:
        """A new request; an earlier version's trail (if any) opens this one's history."""
        trail = list(previous.trail) if previous is not None else []
        trail.append(AuditEntry(at=submitted_at, actor=requester, action=AuditAction.SUBMITTED))
        return cls(
            request_id=request_id,
            organisation_id=organisation_id,
            dext_item_id=dext_item_id,
            item_version=item_version,
            submitted_bill=bill,
            bill=bill,
            requester=requester,
            trail=trail,
            supersedes_request_id=None if previous is None else previous.request_id,
            opened_at=now,
        )

    def own_bill_of(self, run: Run | None) -> UUID | None:
        """The requester, when the workflow keeps them from approving their own bill."""
        if run is None or run.workflow.requester_may_approve:
            return None
        return self.requester.user_id

    def wait_for_workflow(self) -> None:
        self.move(RequestState.AWAITING_WORKFLOW)

    def start(self, run: Run, now: datetime) -> None:
        """Runs the workflow from its beginning: review, else auto-approval, else step 1."""
        if self.state not in (RequestState.OPENED, RequestState.AWAITING_WORKFLOW):
            raise OutOfTurn(f"the request is {self.state}; it has already started")
        self.workflow = run.ref
        self.has_review = run.workflow.review is not None
        opened_at = len(self._events)
        if run.workflow.review is not None:
            self.move(RequestState.IN_REVIEW)
            self.reviewers = [
                run.people[email].participant()
                for email in run.workflow.review.reviewers
                if email in run.people
            ]
        else:
            self.after_review(run, now)
        step = self.current_step
        first = self.review_ref if self.has_review else None
        self._events.insert(
            opened_at,
            RequestOpened(
                **self.about(),
                workflow=run.ref,
                bill=self.submitted_bill,
                current_step=self.step_ref(step) if step is not None else first,
                awaiting=self.awaiting_actors(),
                supersedes_request_id=self.supersedes_request_id,
                opened_at=self.opened_at,
            ),
        )

    def after_review(self, run: Run, now: datetime) -> None:
        facts = matrix.facts_of(self.bill, run.base_currency)
        rule = matrix.matching_auto_approval(run.workflow, facts)
        if rule is not None:
            self.auto_approved = True
            self.record(
                now, SYSTEM, AuditAction.AUTO_APPROVED, comment=f"auto-approval rule {rule + 1}"
            )
            self.authorise(now)
        else:
            self.enter_step(0, run, now)

    # ── steps ───────────────────────────────────────────────────────────────────────────

    def enter_step(self, index: int, run: Run, now: datetime) -> None:
        definition = run.workflow.steps[index]
        approvers, left_out = self._approvers_of(index, run)
        self.move(RequestState.IN_APPROVAL)
        hours = definition.deadline_hours
        step = StepProgress(
            index=index,
            name=definition.name,
            completion=definition.completion,
            approvers=approvers,
            entered_at=now,
            due_at=None if hours is None else now + timedelta(hours=hours),
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

    def reminder_due(self) -> datetime | None:
        """When the current step's deadline passes, unless it was already reminded of."""
        step = self.current_step
        if step is None or step.overdue_at is not None:
            return None
        return step.due_at

    def remind_overdue(self, now: datetime) -> bool:
        """Emits RequestStepOverdue when the current step's deadline has passed undecided;
        False when there is nothing to remind of (decided, moved on, or already reminded)."""
        step, due = self.current_step, self.reminder_due()
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

    def approve(
        self,
        approver: Participant,
        comment: str | None,
        run: Run,
        now: datetime,
        expected_step: int | None = None,
        on_behalf_of: Participant | None = None,
    ) -> None:
        """``on_behalf_of``: the absent approver whose place ``approver`` takes as substitute."""
        self.check_not_own_bill(approver, run)
        step = self._turn_of(on_behalf_of or approver, expected_step)
        actor = approver.actor("substitute" if on_behalf_of else "approver")
        self._approve_in_step(step, actor, on_behalf_of, comment, forced=False, run=run, now=now)

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
        behalf = on_behalf_of.actor("approver") if on_behalf_of is not None else None
        self.record(
            now,
            actor,
            AuditAction.APPROVED,
            step=self.step_ref(step),
            comment=comment,
            on_behalf_of=behalf,
        )
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

    def reject(
        self,
        approver: Participant,
        reason: str,
        now: datetime,
        expected_step: int | None = None,
        on_behalf_of: Participant | None = None,
    ) -> None:
        step = self._turn_of(on_behalf_of or approver, expected_step)
        actor = approver.actor("substitute" if on_behalf_of else "approver")
        behalf = on_behalf_of.actor("approver") if on_behalf_of is not None else None
        self.record(
            now,
            actor,
            AuditAction.REJECTED,
            step=self.step_ref(step),
            comment=reason,
            on_behalf_of=behalf,
        )
        self.step_decided(
            self.step_ref(step),
            StepDecision.REJECTED,
            actor,
            reason,
            now,
            forced=False,
            on_behalf_of=behalf,
        )
        self.rejected(actor, reason, self.step_ref(step), now, forced=False)

    def check_not_own_bill(self, approver: Participant, run: Run | None) -> None:
        if approver.user_id == self.own_bill_of(run):
            raise OwnBill(
                "you requested this bill, and the workflow does not let a requester approve"
                " their own bill"
            )

    def _turn_of(self, person: Participant, expected_step: int | None) -> StepProgress:
        step = self.current_step
        if step is None:
            raise OutOfTurn(f"the request is {self.state}; it awaits no approval decision")
        if expected_step is not None and expected_step != self.step_ref(step).index:
            raise OutOfTurn(
                f"step {expected_step} is no longer awaiting decisions; "
                f"the request is at step {self.step_ref(step).index} ({step.name})"
            )
        if not any(p.user_id == person.user_id for p in step.approvers):
            raise NotAParticipant(f"you are not an approver of step '{step.name}'")
        if person.user_id in step.approved_by:
            raise OutOfTurn(f"you have already approved step '{step.name}'")
        return step
