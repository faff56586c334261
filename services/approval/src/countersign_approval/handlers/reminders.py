"""Step deadlines: a periodic pass emits RequestStepOverdue for every request whose current
step's deadline has passed undecided. Each instance runs it; rows are claimed with SKIP LOCKED,
so two instances never remind of the same step, and a reminder is emitted with the change that
records it (the outbox), exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

import asyncpg
from countersign_platform.outages import database_unavailable

from countersign_approval.db.requests import Requests
from countersign_approval.handlers.running import flush_events

__all__ = ["Reminders", "remind_overdue"]

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


class Reminders:
    """Runs the reminder pass every ``interval_s`` until stopped."""

    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self, pool: asyncpg.Pool) -> None:
        self._task = asyncio.create_task(self._run(pool), name="step-reminders")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self, pool: asyncpg.Pool) -> None:
        while True:
            try:
                while await remind_overdue(pool) == BATCH:
                    pass  # more are overdue than one pass takes
            except Exception as exc:
                if not database_unavailable(exc):
                    log.exception("step reminder pass failed")
                else:  # Postgres restarting: the next pass finds the same rows
                    log.warning("step reminders: database unavailable (%s)", type(exc).__name__)
            await asyncio.sleep(self._interval_s)
