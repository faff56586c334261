"""Step deadlines: a periodic pass over the requests whose current step has something due.
24 workflow hours before the deadline it emits RequestStepDeadlineApproaching, at the deadline
RequestStepOverdue; once the step's escalation delay has passed too,
it escalates the step (``domain.escalation``). Each instance runs it; rows are claimed with
SKIP LOCKED, so two instances never act on the same step, and what a pass does is emitted with
the change that records it (the outbox), exactly once. The request's ``due_at`` column is the
next thing due for it: the reminders, then the escalation, then nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import asyncpg
from countersign_platform.loops import BackgroundLoop

from countersign_approval.db.requests import Requests, StoredRequest
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.escalation import escalate, escalation_due
from countersign_approval.handlers.running import flush_events, load_run

__all__ = ["remind_overdue", "reminder_loop"]

log = logging.getLogger(__name__)

BATCH = 100


async def remind_overdue(pool: asyncpg.Pool, batch: int = BATCH) -> int:
    """One pass over at most ``batch`` requests with something due; returns how many were
    claimed."""
    async with pool.acquire() as conn, conn.transaction():
        requests = Requests(conn)
        claimed = await requests.due(batch)
        now = datetime.now(UTC)
        escalated = 0
        for stored in claimed:
            stored.request.remind_deadline_approaching(now)
            stored.request.remind_overdue(now)
            escalated += await _escalate(conn, stored, now)
            await requests.save(stored)  # due_at moves on to what is due next, if anything
            await flush_events(conn, stored)
    if claimed:
        log.info("%d step(s) due: %d escalated", len(claimed), escalated)
    return len(claimed)


async def _escalate(conn: asyncpg.Connection, stored: StoredRequest, now: datetime) -> bool:
    """Escalates the request's step when it is due, on the organisation's people as they are
    now (the admins, for an escalation to them)."""
    request = stored.request
    if not escalation_due(request, now) or stored.workflow_version is None:
        return False
    # The people are read under the organisation's workflow lock, shared, as a decision
    # reads them, so nobody is removed while a step is escalated to them. Not waited for: the
    # row is already locked here, and a decision takes the lock before the row; when a removal
    # or a workflow save holds it, the step stays due and a later pass escalates it.
    if not await Workflows(conn).try_lock_shared(request.organisation_id):
        log.info(
            "request %s of %s: escalation put off while the organisation is changed",
            request.request_id,
            request.organisation_id,
        )
        return False
    run = await load_run(conn, request.organisation_id, stored.workflow_version)
    return run is not None and escalate(request, run, now)


def reminder_loop(pool: asyncpg.Pool, interval_s: float) -> BackgroundLoop:
    """The deadline pass every ``interval_s``, at once again while more are due than one
    pass takes."""

    async def remind() -> bool:
        return await remind_overdue(pool) == BATCH

    return BackgroundLoop("step-reminders", remind, interval_s=interval_s)
