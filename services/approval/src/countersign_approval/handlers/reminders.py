"""Step deadlines: a periodic pass emits RequestStepOverdue for every request whose current
step's deadline has passed undecided. Each instance runs it; rows are claimed with SKIP LOCKED,
so two instances never remind of the same step, and a reminder is emitted with the change that
records it (the outbox), exactly once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import asyncpg
from countersign_platform.loops import BackgroundLoop

from countersign_approval.db.requests import Requests
from countersign_approval.handlers.running import flush_events

__all__ = ["remind_overdue", "reminder_loop"]

log = logging.getLogger(__name__)

BATCH = 100


async def remind_overdue(pool: asyncpg.Pool, batch: int = BATCH) -> int:
    """One pass over at most ``batch`` overdue requests; returns how many were claimed."""
    async with pool.acquire() as conn, conn.transaction():
        requests = Requests(conn)
        claimed = await requests.overdue(batch)
        now = datetime.now(UTC)
        for stored in claimed:
            stored.request.remind_overdue(now)
            await requests.save(stored)  # the step's reminder is no longer due either way
            await flush_events(conn, stored)
    if claimed:
        log.info("reminded of %d overdue step(s)", len(claimed))
    return len(claimed)


def reminder_loop(pool: asyncpg.Pool, interval_s: float) -> BackgroundLoop:
    """The reminder pass every ``interval_s``, at once again while more are overdue than one
    pass takes."""

    async def remind() -> bool:
        return await remind_overdue(pool) == BATCH

    return BackgroundLoop("step-reminders", remind, interval_s=interval_s)
