"""What every use case on a request shares: the workflow run it needs, and sending the events
it recorded through the outbox."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_contracts import APPROVAL_REQUESTS, WorkflowRef, new_envelope
from countersign_platform.outbox import enqueue

from countersign_approval.db.organisations import Organisations
from countersign_approval.db.people import People
from countersign_approval.db.requests import StoredRequest
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.run import Run

__all__ = ["PRODUCER", "flush_events", "load_run"]

PRODUCER = "approval"


async def load_run(
    conn: asyncpg.Connection, organisation_id: UUID, version: int | None = None
) -> Run | None:
    """The organisation's workflow (``version``, else the newest) with its people; None when
    the organisation is unknown or has no workflow yet."""
    org = await Organisations(conn).get(organisation_id)
    if org is None:
        return None
    saved = await Workflows(conn).get(organisation_id, version)
    if saved is None:
        return None
    return Run(
        workflow=saved.document,
        ref=WorkflowRef(
            workflow_id=saved.workflow_id, version=saved.version, name=saved.document.name
        ),
        people=await People(conn).directory(organisation_id),
        base_currency=org.base_currency,
    )


async def flush_events(
    conn: asyncpg.Connection, stored: StoredRequest, causation_id: UUID | None = None
) -> None:
    """Stages the request's recorded events, in order, in the caller's transaction."""
    request = stored.request
    for payload in request.pending_events:
        await enqueue(
            conn,
            APPROVAL_REQUESTS,
            new_envelope(
                payload,
                producer=PRODUCER,
                organisation_id=request.organisation_id,
                correlation_id=stored.correlation_id,
                causation_id=causation_id,
            ),
        )
    request.pending_events.clear()
