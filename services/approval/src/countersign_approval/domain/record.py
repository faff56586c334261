"""What an approval request is and keeps: its state, bill, steps, audit trail, and the events
its outcomes record. ``request.ApprovalRequest`` adds how it walks its workflow; the other
actions (review, interventions, publication) use the plumbing at the bottom.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from countersign_contracts import (
    Actor,
    AuditAction,
    AuditEntry,
    Bill,
    CodingIssue,
    EventPayload,
    FieldChange,
    Ledger,
    PossibleDuplicate,
    RequestAuthorised,
    RequestCancelled,
    RequestRejected,
    RequestSource,
    RequestStepDecided,
    RequestSuperseded,
    StepDecision,
    StepRef,
    WorkflowRef,
    XeroBillDuplicate,
)
from pydantic import BaseModel, Field, PrivateAttr

from countersign_approval.domain.lifecycle import RequestState, transition
from countersign_approval.domain.people import SYSTEM, Participant
from countersign_approval.domain.refusals import CodingNotValid
from countersign_approval.domain.workflow import Completion

__all__ = ["REVIEW_STEP_NAME", "RequestRecord", "StepProgress"]

REVIEW_STEP_NAME = "Review"
_ABOUT = {"request_id", "dext_item_id", "item_version", "source", "xero_invoice_id", "ledger"}
_ABOUT |= {"ledger_bill_id"}


class StepProgress(BaseModel):
    index: int
    name: str
    completion: Completion
    approvers: list[Participant]
    approved_by: list[UUID] = Field(default_factory=list)
    entered_at: datetime | None = None  # None in documents saved before deadlines existed
    due_at: datetime | None = None  # the deadline, when the step has one
    reminds_at: datetime | None = None  # 24 workflow hours before a later deadline
    reminded_at: datetime | None = None  # when RequestStepDeadlineApproaching was emitted
    overdue_at: datetime | None = None  # when RequestStepOverdue was emitted
    escalates_at: datetime | None = None  # the deadline and the escalation delay, when set
    escalated_at: datetime | None = None  # when RequestStepEscalated was emitted
    escalated_to: list[Participant] = Field(default_factory=list)  # any one of them completes it

    @property
    def complete(self) -> bool:
        approved = set(self.approved_by)
        if self.completion is Completion.ANY:
            return bool(approved)
        # One of those it was escalated to approving completes it, whatever its completion.
        escalated = {p.user_id for p in self.escalated_to}
        return bool(escalated & approved) or {p.user_id for p in self.approvers} <= approved

    def takes_part(self, user_id: UUID) -> bool:
        """An approver of the step, or someone it was escalated to."""
        return any(p.user_id == user_id for p in (*self.approvers, *self.escalated_to))

    def waits_for(self, user_id: UUID) -> bool:
        return self.takes_part(user_id) and user_id not in self.approved_by

    def role_of(self, user_id: UUID) -> str:
        """The role ``user_id`` decides the step in: ``escalation`` once it was escalated to
        them, else ``approver``."""
        return "escalation" if any(p.user_id == user_id for p in self.escalated_to) else "approver"

    def awaited(self) -> list[Participant]:
        """Who the step still waits for: its approvers, then those it was escalated to."""
        named = {p.user_id: p for p in (*self.approvers, *self.escalated_to)}
        return [p for p in named.values() if p.user_id not in self.approved_by]


class RequestRecord(BaseModel):
    request_id: UUID
    organisation_id: UUID
    dext_item_id: str
    item_version: int
    state: RequestState = RequestState.OPENED
    submitted_bill: Bill
    bill: Bill
    requester: Actor
    workflow: WorkflowRef | None = None
    has_review: bool = False
    reviewers: list[Participant] = Field(default_factory=list)
    steps: list[StepProgress] = Field(default_factory=list)
    trail: list[AuditEntry] = Field(default_factory=list)
    auto_approved: bool = False
    supersedes_request_id: UUID | None = None
    opened_at: datetime
    publication_id: UUID | None = None
    xero_invoice_id: UUID | None = None  # once published; from the start when pulled
    # The ledger (master data's at intake, the publisher's once published), the bill's id there.
    ledger: Ledger | None = None
    ledger_bill_id: str | None = None
    source: RequestSource = RequestSource.DEXT  # where the bill started (ADR 0058)
    publication_messages: list[str] = Field(default_factory=list)
    # What the ledger would refuse of the bill as it stands, by the latest master data: empty
    # when it takes it (or was never read). No authorisation while it is not.
    coding_issues: list[CodingIssue] = Field(default_factory=list)
    # Other requests, and bills entered in the ledger, this one likely duplicates (ingest, at
    # intake): a warning, carried on RequestOpened and RequestAuthorised.
    possible_duplicates: list[PossibleDuplicate] = Field(default_factory=list)
    possible_duplicates_in_xero: list[XeroBillDuplicate] = Field(default_factory=list)
    _events: list[EventPayload] = PrivateAttr(default_factory=list)

    # ── reading ─────────────────────────────────────────────────────────────────────────

    @property
    def pending_events(self) -> list[EventPayload]:
        return self._events

    @property
    def current_step(self) -> StepProgress | None:
        if self.state is RequestState.IN_APPROVAL and self.steps:
            return self.steps[-1]
        return None

    def awaiting(self) -> list[UUID]:
        """Who the request waits for now."""
        if self.state is RequestState.IN_REVIEW:
            return [p.user_id for p in self.reviewers]
        step = self.current_step
        return [] if step is None else [p.user_id for p in step.awaited()]

    def about(self) -> dict[str, Any]:
        """The fields every request event starts with: request, item, version, source, ledger."""
        return self.model_dump(include=_ABOUT)

    def awaiting_actors(self) -> list[Actor]:
        """Who the request waits for now, as the events name them (whose turn it is)."""
        if self.state is RequestState.IN_REVIEW:
            return [p.actor("reviewer") for p in self.reviewers]
        step = self.current_step
        return [] if step is None else [p.actor(step.role_of(p.user_id)) for p in step.awaited()]

    def participants(self) -> set[UUID]:
        found = {p.user_id for p in self.reviewers}
        for step in self.steps:
            found.update(p.user_id for p in (*step.approvers, *step.escalated_to))
        if self.requester.user_id is not None:
            found.add(self.requester.user_id)
        # Whoever acted on it, a substitute among them.
        found.update(e.actor.user_id for e in self.trail if e.actor.user_id is not None)
        return found

    def step_ref(self, step: StepProgress) -> StepRef:
        return StepRef(index=step.index + (1 if self.has_review else 0), name=step.name)

    @property
    def review_ref(self) -> StepRef:
        return StepRef(index=0, name=REVIEW_STEP_NAME)

    # ── outcomes ────────────────────────────────────────────────────────────────────────

    def check_coding_valid(self) -> None:
        if self.coding_issues:
            reasons = "; ".join(f"{i.field}: {i.message}" for i in self.coding_issues)
            raise CodingNotValid(
                f"The ledger would refuse the bill's coding as it stands ({reasons}); a reviewer"
                " or an administrator recodes it first"
            )

    def authorise(self, now: datetime) -> None:
        assert self.workflow is not None
        self.check_coding_valid()
        self.move(RequestState.AUTHORISED)
        self.record(now, SYSTEM, AuditAction.AUTHORISED)
        self._events.append(
            RequestAuthorised(
                **self.about(),
                workflow=self.workflow,
                bill=self.bill,
                audit_trail=list(self.trail),
                auto_approved=self.auto_approved,
                authorised_at=now,
                possible_duplicates=self.possible_duplicates,
                possible_duplicates_in_xero=self.possible_duplicates_in_xero,
            )
        )

    def rejected(
        self, actor: Actor, reason: str, step: StepRef | None, now: datetime, *, forced: bool
    ) -> None:
        assert self.workflow is not None
        self.move(RequestState.REJECTED)
        self._events.append(
            RequestRejected(
                **self.about(),
                workflow=self.workflow,
                rejected_by=actor,
                reason=reason,
                step=step,
                forced=forced,
                rejected_at=now,
            )
        )

    def supersede(self, by_request_id: UUID, by_version: int, now: datetime) -> None:
        self.move(RequestState.SUPERSEDED)
        self.record(
            now,
            SYSTEM,
            AuditAction.SUPERSEDED,
            comment=f"version {self.item_version} replaced by version {by_version}",
        )
        self._events.append(
            RequestSuperseded(
                **self.about(),
                superseded_by_request_id=by_request_id,
                superseded_by_item_version=by_version,
                superseded_at=now,
            )
        )

    def cancel(self, actor: Actor, reason: str | None, now: datetime) -> None:
        self.move(RequestState.CANCELLED)
        self.record(now, actor, AuditAction.CANCELLED, comment=reason)
        self._events.append(
            RequestCancelled(
                **self.about(),
                cancelled_by=actor,
                reason=reason,
                cancelled_at=now,
            )
        )

    # ── plumbing for the actions in review.py, interventions.py and publication.py ──────

    def emit(self, event: EventPayload) -> None:
        self._events.append(event)

    def move(self, target: RequestState) -> None:
        self.state = transition(self.state, target)

    def record(
        self,
        at: datetime,
        actor: Actor,
        action: AuditAction,
        *,
        step: StepRef | None = None,
        comment: str | None = None,
        on_behalf_of: Actor | None = None,
        changes: list[FieldChange] | None = None,
    ) -> None:
        self.trail.append(
            AuditEntry(
                at=at,
                actor=actor,
                on_behalf_of=on_behalf_of,
                action=action,
                step=step,
                comment=comment,
                changes=changes or [],
            )
        )

    def step_decided(
        self,
        step: StepRef,
        decision: StepDecision,
        actor: Actor,
        comment: str | None,
        now: datetime,
        *,
        forced: bool,
        on_behalf_of: Actor | None = None,
    ) -> None:
        assert self.workflow is not None
        self._events.append(
            RequestStepDecided(
                **self.about(),
                workflow=self.workflow,
                step=step,
                decision=decision,
                decided_by=actor,
                on_behalf_of=on_behalf_of,
                forced=forced,
                comment=comment,
                step_completed=True,
                next_step=None,
                decided_at=now,
            )
        )
