"""What people do to one request over the API: decide, review, intervene. Each runs with the
request's row locked, so two decisions on one request are applied one after the other and the
second sees the first; a refusal rolls everything back, so nothing is recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from countersign_approval.db.requests import Requests
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.people import Person
from countersign_approval.domain.refusals import NotAParticipant, RequestNotFound
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.run import Run
from countersign_approval.handlers.running import flush_events, load_run

__all__ = ["Action", "act_on_request", "require_approver"]

Action = Callable[[ApprovalRequest, Run | None, datetime], None]


def require_approver(person: Person) -> None:
    if not person.may_approve:
        raise NotAParticipant("deciding needs the approver or admin role")


async def act_on_request(
    pool: asyncpg.Pool, organisation_id: UUID, request_id: UUID, action: Action
) -> ApprovalRequest:
    """Applies ``action`` to the locked request and saves it with the events it recorded."""
    async with pool.acquire() as conn, conn.transaction():
        # Shared: decisions go on side by side, but not while a user is removed or a
        # workflow saved (both exclusive).
        await Workflows(conn).lock(organisation_id, exclusive=False)
        requests = Requests(conn)
        stored = await requests.get(organisation_id, request_id, lock=True)
        if stored is None:
            raise RequestNotFound(f"request {request_id} is unknown")
        run = (
            await load_run(conn, organisation_id, stored.workflow_version)
            if stored.workflow_version is not None
            else None
        )
        action(stored.request, run, datetime.now(UTC))
        await requests.save(stored)
        await flush_events(conn, stored)
        return stored.request
