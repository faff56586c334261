"""The approval request: one cost item version going through one workflow version.

The request records what happened in its audit trail and the events to publish in
``pending_events``; the caller saves both in one transaction. Every state change goes through
``lifecycle.transition``. The workflow and the organisation's people are handed in
(``run.Run``) when the request needs them, so the request stays a plain value.

    record.RequestRecord     what it keeps, its outcomes (authorised, rejected, …)
      └── steps.SteppedRequest   who each step waits for, approvals counted, deadlines
            └── ApprovalRequest  opening, starting, and the approvers' decisions

Step positions on the wire (``StepRef.index``) count the review as position 0 when the
workflow has one, so the approval steps are 1..n; without a review they are 0..n-1.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_contracts import (
    Actor,
    AuditAction,
    AuditEntry,
    Bill,
    PossibleDuplicate,
    RequestOpened,
    StepDecision,
    XeroBillDuplicate,
)

from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.people import Participant
from countersign_approval.domain.record import StepProgress
from countersign_approval.domain.refusals import NotAParticipant, OutOfTurn, OwnBill
from countersign_approval.domain.run import Run
from countersign_approval.domain.steps import SteppedRequest

__all__ = ["ApprovalRequest"]


class ApprovalRequest(SteppedRequest):
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
        possible_duplicates: list[PossibleDuplicate] | None = None,
        possible_duplicates_in_xero: list[XeroBillDuplicate] | None = None,
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
            possible_duplicates=possible_duplicates or [],
            possible_duplicates_in_xero=possible_duplicates_in_xero or [],
        )

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
                possible_duplicates=self.possible_duplicates,
                possible_duplicates_in_xero=self.possible_duplicates_in_xero,
            ),
        )

    # ── decisions ───────────────────────────────────────────────────────────────────────

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
        actor = approver.actor("substitute" if on_behalf_of else step.role_of(approver.user_id))
        self._approve_in_step(step, actor, on_behalf_of, comment, forced=False, run=run, now=now)

    def reject(
        self,
        approver: Participant,
        reason: str,
        now: datetime,
        expected_step: int | None = None,
        on_behalf_of: Participant | None = None,
    ) -> None:
        step = self._turn_of(on_behalf_of or approver, expected_step)
        actor = approver.actor("substitute" if on_behalf_of else step.role_of(approver.user_id))
        behalf = self.record_decision(step, actor, AuditAction.REJECTED, reason, on_behalf_of, now)
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
        if not step.takes_part(person.user_id):
            raise NotAParticipant(f"you are not an approver of step '{step.name}'")
        if person.user_id in step.approved_by:
            raise OutOfTurn(f"you have already approved step '{step.name}'")
        return step
