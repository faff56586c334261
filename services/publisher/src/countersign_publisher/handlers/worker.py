"""Runs due publications, organisation by organisation, outside any consumer transaction.

    woken: by the NOTIFY of a job recorded or put back to work, or of an organisation that
          connects (migration 0002), when that transaction commits; else every
          ``poll_interval_s`` (a missed notification, a backoff run out); and when a slot frees
    pass: organisations with due jobs (and a Xero connection), the longest waiting first
          ─▶ a task for each while the instance has room (``max_in_flight`` calls to Xero,
          5 per organisation): claim (lease) up to ``claim_size`` of its due jobs ─▶ resolve
          contacts ─▶ bills in batches of up to 50 ─▶ every job on through its remaining steps,
          side by side (the scheduler keeps the organisation within 5 calls in flight and 60
          a minute) ─▶ completed / postponed / failed / parked ─▶ the slot goes to the next
          organisation waiting (this one again if it is still due); then, when due, the
          supplier sync of every connected organisation (``SupplierSyncPass``) and the master
          data of those due (``MasterDataSyncPass``: just connected, or its interval run out)

Capacity: an instance works for at most ``max_in_flight // 5`` organisations at once that can
call Xero now (one waiting for its minute window to have room does not count) and leases only
their jobs, so it never holds more work than it can run; the rest stays due for the other
instances. Throughput grows with instances while Xero's latency, not CPU, is the limit.

Failures: Xero refusing the content fails the publication (``retryable=false``); transient
trouble postpones it with exponential backoff and, after ``max_attempts``, parks it
(``retryable=true``); a broken connection parks it at once. Each outcome is an event
(``outcomes.py``); a claim's run is ``publishing.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from uuid import UUID

import asyncpg
from countersign_platform.loops import BackgroundLoop, Connect
from countersign_platform.telemetry import log_context

from countersign_publisher.db.publications import Publications
from countersign_publisher.handlers.contacts import SupplierSyncPass
from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.master_data import MasterDataSyncPass
from countersign_publisher.handlers.publishing import Publishing

__all__ = ["PublicationWorker"]

log = logging.getLogger(__name__)


class PublicationWorker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        publishing: Publishing,
        *,
        suppliers: SupplierSyncPass,
        master_data: MasterDataSyncPass,
        claim_size: int,
        lease_s: float,
        lanes: int,
        max_in_flight: int,
        held_back: Callable[[UUID], bool],
        poll_interval_s: float,
        schema: str,
        connect: Connect,
    ) -> None:
        self._organisation_slots = max(1, max_in_flight // lanes)
        self._held_back = held_back
        self._suppliers = suppliers
        self._master_data = master_data
        self._pool = pool
        self._publishing = publishing
        self._claim_size = claim_size
        self._lease_s = lease_s
        self._running: dict[UUID, asyncio.Task[None]] = {}
        self._loop = BackgroundLoop(
            "publication-worker",
            self._pass,
            interval_s=poll_interval_s,
            channel=f"publications_{schema}",
            connect=connect,
        )

    # lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        await self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        await self._master_data.stop()
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def wake(self) -> None:
        self._loop.wake()

    @property
    def listening(self) -> bool:
        """Whether notifications wake the worker (else it only polls)."""
        return self._loop.listening

    async def _pass(self) -> bool:
        await self.dispatch()
        await self._suppliers.run_when_due()
        await self._master_data.run_when_due()
        return False

    async def dispatch(self) -> None:
        """Starts a task for due organisations, the longest waiting first, while there is room."""
        self._running = {org: task for org, task in self._running.items() if not task.done()}
        # An organisation waiting for its Xero minute to have room uses none of this
        # instance's capacity: its slot goes to one that can call Xero now.
        busy = [org for org in self._running if not self._held_back(org)]
        room = self._organisation_slots - len(busy)
        if room <= 0:
            return
        async with self._pool.acquire() as conn:
            due = await Publications(conn).organisations_due()
        for organisation_id in [org for org in due if org not in self._running][:room]:
            task = asyncio.create_task(
                self.run_organisation(organisation_id), name=f"publish-{organisation_id}"
            )
            task.add_done_callback(lambda _: self.wake())  # its slot is free for the next
            self._running[organisation_id] = task

    async def run_until_idle(self) -> None:
        """Runs every due job to its outcome (tests and benchmarks); crashes propagate."""
        while True:
            async with self._pool.acquire() as conn:
                due = await Publications(conn).organisations_due()
            if not due:
                return
            await asyncio.gather(*(self.run_organisation(org) for org in due))

    # one organisation -----------------------------------------------------------------------

    async def run_organisation(self, organisation_id: UUID) -> None:
        """One claim of the organisation's due jobs, run to their outcomes."""
        with log_context(organisation_id=organisation_id):
            async with self._pool.acquire() as conn:
                rows = await Publications(conn).claim(
                    organisation_id, self._claim_size, self._lease_s
                )
            if not rows:
                return
            heartbeat = asyncio.create_task(self._hold_leases([r.publication_id for r in rows]))
            try:
                await self._publishing.publish([Job(row) for row in rows])
            finally:
                heartbeat.cancel()

    async def _hold_leases(self, publication_ids: list[UUID]) -> None:
        # A claim can outlast its lease at Xero's pace; renewing it keeps another worker from
        # taking jobs this one is still running.
        while True:
            await asyncio.sleep(self._lease_s / 3)
            async with self._pool.acquire() as conn:
                await Publications(conn).renew_leases(publication_ids, self._lease_s)
