"""What every use case on a request shares: the request locked for the change, the workflow
run it needs, and sending the events it recorded through the outbox.

    locked_request:  shared workflow lock ─▶ request row FOR UPDATE ─▶ run ─▶ (the use case)
                     ─▶ save the request ─▶ its events into the outbox ─▶ commit
                     a refusal raised by the use case rolls it all back: nothing is recorded
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from countersign_contracts import APPROVAL_REQUESTS, WorkflowRef, new_envelope, with_ledger_names
from countersign_platform.outbox import enqueue

from countersign_approval.db.organisations import Organisations
from countersign_approval.db.people import People
from countersign_approval.db.requests import Requests, StoredRequest
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.refusals import RequestNotFound
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.run import Run

__all__ = ["PRODUCER", "Locked", "RequestAt", "flush_events", "load_run", "locked_request"]

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
                with_ledger_names(payload),  # a bill in Xero named in the ledger's terms too
                producer=PRODUCER,
                organisation_id=request.organisation_id,
                correlation_id=stored.correlation_id,
                causation_id=causation_id,
            ),
        )
    request.pending_events.clear()


@dataclass(frozen=True)
class RequestAt:
    """The request a use case acts on: which, in which organisation, through which pool."""

    pool: asyncpg.Pool
    organisation_id: UUID
    request_id: UUID


@dataclass(frozen=True)
class Locked:
    """A request held for one change: its row is locked until the transaction ends."""

    conn: asyncpg.Connection
    request: ApprovalRequest
    run: Run | None  # None while the request waits for a first workflow
    now: datetime


@contextlib.asynccontextmanager
async def locked_request(at: RequestAt) -> AsyncIterator[Locked]:
    """The request, locked, for the block to change; saved with the events it recorded when the
    block ends, rolled back when it raises. Two changes of one request run one after the
    other, the second seeing the first."""
    async with at.pool.acquire() as conn, conn.transaction():
        # Shared: decisions go on side by side, but not while a user is removed or a
        # workflow saved (both exclusive).
        await Workflows(conn).lock(at.organisation_id, exclusive=False)
        org = await Organisations(conn).get(at.organisation_id)
        if org is not None:
            org.check_active()
        requests = Requests(conn)
        stored = await requests.get(at.organisation_id, at.request_id, lock=True)
        if stored is None:
            raise RequestNotFound(f"request {at.request_id} is unknown")
        run = (
            await load_run(conn, at.organisation_id, stored.workflow_version)
            if stored.workflow_version is not None
            else None
        )
        yield Locked(conn, stored.request, run, datetime.now(UTC))
        await requests.save(stored)
        await flush_events(conn, stored)
