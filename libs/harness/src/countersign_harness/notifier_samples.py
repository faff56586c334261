"""Events of ``approval.requests.v1`` as the notifier reads them, for its unit and integration
tests: one request of a two-step workflow, its people with their addresses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from countersign_contracts import (
    Actor,
    ActorKind,
    PublicationStatus,
    RequestApproverReassigned,
    RequestOpened,
    RequestPublicationUpdated,
    RequestRejected,
    RequestStepDeadlineApproaching,
    RequestStepDecided,
    RequestStepEscalated,
    RequestStepOverdue,
    StepDecision,
    StepRef,
    WorkflowRef,
)
from countersign_harness.samples import sample_bill

__all__ = [
    "ANN",
    "BOB",
    "BUDGET",
    "DAN",
    "FINANCE",
    "decided",
    "due_soon",
    "escalated",
    "opened",
    "overdue",
    "published",
    "reassigned",
    "rejected",
    "user",
]

WORKFLOW = WorkflowRef(workflow_id=uuid.uuid4(), version=1, name="Bills")
BUDGET = StepRef(index=0, name="Budget holder")
FINANCE = StepRef(index=1, name="Finance")


def _about(request_id: UUID) -> dict[str, Any]:
    """What every request event of these samples says of its request: Dext's item "paper"."""
    return {"request_id": request_id, "dext_item_id": "paper", "item_version": 1}


def user(name: str, email: str | None, role: str = "approver") -> Actor:
    return Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name=name, email=email, role=role)


ANN = user("Ann North", "Ann@Example.com")
BOB = user("Bob South", "bob@example.com")
DAN = user("Dan Finance", "dan@example.com")


def opened(request_id: UUID, *awaiting: Actor, reference: str = "INV-PAPER") -> RequestOpened:
    return RequestOpened(
        **_about(request_id),
        workflow=WORKFLOW,
        bill=sample_bill(reference),
        current_step=BUDGET if awaiting else None,
        awaiting=list(awaiting),
        opened_at=datetime.now(UTC),
    )


def decided(
    request_id: UUID, by: Actor, *awaiting: Actor, completed: bool = True
) -> RequestStepDecided:
    return RequestStepDecided(
        **_about(request_id),
        workflow=WORKFLOW,
        step=BUDGET,
        decision=StepDecision.APPROVED,
        decided_by=by,
        step_completed=completed,
        next_step=FINANCE if completed else None,
        awaiting=list(awaiting),
        decided_at=datetime.now(UTC),
    )


def overdue(request_id: UUID, *awaiting: Actor, step: StepRef = FINANCE) -> RequestStepOverdue:
    now = datetime.now(UTC)
    return RequestStepOverdue(
        **_about(request_id),
        workflow=WORKFLOW,
        step=step,
        awaiting=list(awaiting),
        entered_at=now - timedelta(days=2),
        due_at=now - timedelta(days=1),
    )


def escalated(request_id: UUID, targets: list[Actor], *awaiting: Actor) -> RequestStepEscalated:
    now = datetime.now(UTC)
    return RequestStepEscalated(
        **_about(request_id),
        workflow=WORKFLOW,
        step=FINANCE,
        escalated_to=targets,
        awaiting=[*awaiting, *targets],
        due_at=now - timedelta(hours=4),
        escalated_at=now,
    )


def rejected(request_id: UUID, by: Actor, reason: str) -> RequestRejected:
    return RequestRejected(
        **_about(request_id),
        workflow=WORKFLOW,
        rejected_by=by,
        reason=reason,
        step=FINANCE,
        rejected_at=datetime.now(UTC),
    )


def published(
    request_id: UUID, status: PublicationStatus = PublicationStatus.PUBLISHED
) -> RequestPublicationUpdated:
    return RequestPublicationUpdated(
        **_about(request_id),
        publication_id=uuid.uuid4(),
        status=status,
        xero_invoice_id=uuid.uuid4(),
        updated_at=datetime.now(UTC),
    )


def due_soon(
    request_id: UUID, *awaiting: Actor, step: StepRef = FINANCE
) -> RequestStepDeadlineApproaching:
    now = datetime.now(UTC)
    return RequestStepDeadlineApproaching(
        **_about(request_id),
        workflow=WORKFLOW,
        step=step,
        awaiting=list(awaiting),
        entered_at=now - timedelta(days=1),
        due_at=now + timedelta(days=1),
    )


def reassigned(
    request_id: UUID, replaced: Actor, replacement: Actor, *others: Actor
) -> RequestApproverReassigned:
    admin = user("Ada Admin", "ada@example.com", role="admin")
    return RequestApproverReassigned(
        **_about(request_id),
        workflow=WORKFLOW,
        step=BUDGET,
        reassigned_by=admin,
        replaced=replaced,
        replacement=replacement,
        comment="On leave",
        awaiting=[replacement, *others],
        reassigned_at=datetime.now(UTC),
    )
