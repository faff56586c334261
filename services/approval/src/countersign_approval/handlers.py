"""Approval's use cases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import (
    APPROVAL_REQUESTS,
    Actor,
    ActorKind,
    AuditAction,
    AuditEntry,
    CostItemSubmitted,
    Envelope,
    EventPayload,
    RequestAuthorised,
    RequestOpened,
    WorkflowRef,
    new_envelope,
)
from countersign_platform.outbox import enqueue

from countersign_approval.db import Requests
from countersign_approval.domain import RequestState, authorise_on_arrival

__all__ = ["open_request"]

PRODUCER = "approval"
SYSTEM = Actor(kind=ActorKind.SYSTEM, name="Countersign")
# The single built-in workflow until organisations can define their own.
STUB_WORKFLOW = WorkflowRef(
    workflow_id=UUID("00000000-0000-7000-8000-000000000001"), version=1, name="Authorise on arrival"
)


async def open_request(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    """Opens an approval request for a submitted cost item version and runs the rule on it."""
    submitted: CostItemSubmitted = envelope.payload
    request_id = uuid.uuid4()
    now = datetime.now(UTC)
    authorised = authorise_on_arrival()
    await Requests(conn).add(
        request_id,
        envelope.organisation_id,
        submitted.dext_item_id,
        submitted.version,
        RequestState.AUTHORISED if authorised else RequestState.OPENED,
        submitted.bill.model_dump_json(),
        envelope.correlation_id,
    )

    async def emit(payload: EventPayload) -> None:
        await enqueue(
            conn,
            APPROVAL_REQUESTS,
            new_envelope(
                payload,
                producer=PRODUCER,
                organisation_id=envelope.organisation_id,
                correlation_id=envelope.correlation_id,
                causation_id=envelope.event_id,
            ),
        )

    common = {
        "request_id": request_id,
        "dext_item_id": submitted.dext_item_id,
        "item_version": submitted.version,
        "workflow": STUB_WORKFLOW,
    }
    await emit(RequestOpened(**common, bill=submitted.bill, current_step=None, opened_at=now))
    if authorised:
        trail = [
            AuditEntry(
                at=submitted.submitted_at, actor=_requester(submitted), action=AuditAction.SUBMITTED
            ),
            AuditEntry(at=now, actor=SYSTEM, action=AuditAction.AUTO_APPROVED),
        ]
        await emit(
            RequestAuthorised(
                **common,
                bill=submitted.bill,
                audit_trail=trail,
                auto_approved=True,
                authorised_at=now,
            )
        )


def _requester(submitted: CostItemSubmitted) -> Actor:
    # Requesters are Dext users; approval knows them by name until they are mapped to users.
    return Actor(kind=ActorKind.SYSTEM, name=submitted.bill.requester.name, role="requester")
