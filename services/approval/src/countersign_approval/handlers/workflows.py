"""An organisation's workflow: saved as its next version, read as it is now or was."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from countersign_approval.db.organisations import Organisations
from countersign_approval.db.people import People
from countersign_approval.db.requests import Requests
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.staffing import check_workflow_people
from countersign_approval.domain.workflow import SavedWorkflow, Workflow
from countersign_approval.handlers.running import flush_events, load_run

__all__ = ["save_workflow", "saved_workflow", "workflow_versions"]


async def save_workflow(
    pool: asyncpg.Pool, organisation_id: UUID, document: Workflow, saved_by: UUID
) -> SavedWorkflow:
    """Saves the next version. Requests already running keep theirs; requests that waited for
    a first workflow start on this one."""
    async with pool.acquire() as conn, conn.transaction():
        await Workflows(conn).lock(organisation_id, exclusive=True)
        if await Organisations(conn).get(organisation_id, lock=True) is None:
            raise LookupError(f"organisation {organisation_id} is not registered")
        check_workflow_people(document, await People(conn).directory(organisation_id))
        workflows = Workflows(conn)
        current = await workflows.get(organisation_id)
        workflow_id = current.workflow_id if current is not None else uuid.uuid4()
        saved = await workflows.add(organisation_id, workflow_id, document, saved_by)
        await _start_waiting(conn, organisation_id, saved.version)
        return saved


async def _start_waiting(conn: asyncpg.Connection, organisation_id: UUID, version: int) -> None:
    """Starts the requests that waited for a first workflow on ``version``."""
    run = await load_run(conn, organisation_id, version)
    assert run is not None
    requests = Requests(conn)
    now = datetime.now(UTC)
    for stored in await requests.awaiting_workflow(organisation_id):
        stored.request.start(run, now)
        stored.workflow_version = version
        await requests.save(stored)
        await flush_events(conn, stored)


async def saved_workflow(
    pool: asyncpg.Pool, organisation_id: UUID, version: int | None = None
) -> SavedWorkflow | None:
    """One saved version, the newest when ``version`` is None; None when there is none."""
    async with pool.acquire() as conn:
        return await Workflows(conn).get(organisation_id, version)


async def workflow_versions(pool: asyncpg.Pool, organisation_id: UUID) -> list[SavedWorkflow]:
    """Every saved version, oldest first."""
    async with pool.acquire() as conn:
        return await Workflows(conn).all(organisation_id)
