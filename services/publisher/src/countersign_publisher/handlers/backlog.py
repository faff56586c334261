"""The publisher's backlog as a metric: what its autoscaler follows (ADR 0062).

The publisher's work lives in its publications table, not in a Kafka lag: the consumer records a
job in a moment, and the job then waits for Xero for seconds or minutes. So every instance
counts the jobs still to run every ``interval_s`` and exposes the count on /metrics as

    countersign_publisher_publications_waiting   (the same number on every instance: take max)

One indexed count (``publications_due`` covers the states counted) every ``interval_s`` per
instance, in a loop of its own (not the worker's pass, which every commit wakes).
"""

from __future__ import annotations

import asyncpg
from countersign_platform.loops import BackgroundLoop
from prometheus_client import Gauge

from countersign_publisher.db.publications import Publications

__all__ = ["WAITING", "Backlog"]

WAITING = Gauge(
    "countersign_publisher_publications_waiting",
    "Publications still to run (recorded or publishing, due now or backing off) of organisations"
    " connected to Xero and not suspended; sampled by every instance",
)


class Backlog:
    def __init__(self, pool: asyncpg.Pool, *, interval_s: float) -> None:
        self._pool = pool
        self._loop = BackgroundLoop("publications-backlog", self._pass, interval_s=interval_s)

    async def start(self) -> None:
        await self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def sample(self) -> int:
        """Counts the waiting publications and sets the gauge to the count."""
        async with self._pool.acquire() as conn:
            waiting = await Publications(conn).waiting()
        WAITING.set(waiting)
        return waiting

    async def _pass(self) -> bool:
        # A failed count (the database away) is retried by the loop; the gauge keeps its value.
        await self.sample()
        return False
