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
          organisation waiting (this one again if it is still due)

Capacity: an instance works for at most ``max_in_flight // 5`` organisations at once that can
call Xero now (one waiting for its minute window to have room does not count) and leases only
their jobs, so it never holds more work than it can run; the rest stays due for the other
instances. Throughput grows with instances while Xero's latency, not CPU, is the limit.

Failures: Xero refusing the content fails the publication (``retryable=false``); transient
trouble postpones it with exponential backoff and, after ``max_attempts``, parks it
(``retryable=true``); a broken connection parks it at once. Each outcome is an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

import asyncpg
from countersign_contracts import PublicationFailed, PublicationKind, PublicationStep
from countersign_platform.loops import BackgroundLoop, Connect
from countersign_platform.telemetry import log_context

from countersign_publisher.adapters.xero_errors import (
    XeroAuthError,
    XeroError,
    XeroNotFound,
    XeroRateLimited,
    XeroValidationError,
)
from countersign_publisher.db.connections import Connections
from countersign_publisher.db.publications import Publications
from countersign_publisher.domain.publication import (
    PublicationState,
    backoff_s,
    batch_idempotency_key,
    next_step,
)
from countersign_publisher.handlers.contacts import ContactDirectory
from countersign_publisher.handlers.publishing import Job, PublicationSteps

__all__ = ["PublicationWorker"]

log = logging.getLogger(__name__)


class PublicationWorker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        steps: PublicationSteps,
        *,
        batch_size: int = 50,
        claim_size: int = 200,
        lease_s: float = 120.0,
        max_attempts: int = 6,
        backoff_base_s: float = 2.0,
        poll_interval_s: float = 1.0,
        lanes: int = 5,
        max_in_flight: int = 10,
        held_back: Callable[[UUID], bool] = lambda _organisation: False,
        contacts: ContactDirectory | None = None,
        supplier_sync_interval_s: float = 900.0,
        schema: str | None = None,
        connect: Connect | None = None,
    ) -> None:
        self._lanes = lanes
        self._organisation_slots = max(1, max_in_flight // lanes)
        self._held_back = held_back
        self._contacts = contacts
        self._supplier_sync_interval_s = supplier_sync_interval_s
        self._next_supplier_sync = 0.0
        self._pool = pool
        self._steps = steps
        self._batch_size = batch_size
        self._claim_size = claim_size
        self._lease_s = lease_s
        self._max_attempts = max_attempts
        self._backoff_base_s = backoff_base_s
        self._running: dict[UUID, asyncio.Task[None]] = {}
        self._loop = BackgroundLoop(
            "publication-worker",
            self._pass,
            interval_s=poll_interval_s,
            channel=None if connect is None else f"publications_{schema}",
            connect=connect,
        )

    # lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        await self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
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
        await self._sync_suppliers_when_due()
        return False

    async def _sync_suppliers_when_due(self) -> None:
        if self._contacts is None or time.monotonic() < self._next_supplier_sync:
            return
        self._next_supplier_sync = time.monotonic() + self._supplier_sync_interval_s
        async with self._pool.acquire() as conn:
            connected = await Connections(conn).all()
        for connection in connected:
            with log_context(organisation_id=connection.organisation_id):
                try:
                    await self._contacts.sync_suppliers(connection.organisation_id)
                except XeroError as error:
                    log.warning("supplier sync failed: %s", error)

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
                await self._publish([Job(row) for row in rows])
            finally:
                heartbeat.cancel()

    async def _hold_leases(self, publication_ids: list[UUID]) -> None:
        # A claim can outlast its lease at Xero's pace; renewing it keeps another worker from
        # taking jobs this one is still running.
        while True:
            await asyncio.sleep(self._lease_s / 3)
            async with self._pool.acquire() as conn:
                await Publications(conn).renew_leases(publication_ids, self._lease_s)

    async def _publish(self, jobs: Sequence[Job]) -> None:
        waiting: list[Job] = []
        for job in jobs:
            if job.kind is PublicationKind.BILL and job.progress["xero_invoice_id"] is None:
                ready = await self._guard(job, PublicationStep.CREATE_BILL, self._prepare_bill)
                if ready:
                    waiting.append(job)
        for start in range(0, len(waiting), self._batch_size):
            await self._create_batch(waiting[start : start + self._batch_size])
        # As many jobs move at once as the organisation may have calls in flight: each job then
        # runs its steps back to back and completes early, instead of every job waiting for
        # every other job's first attachment.
        lanes = asyncio.Semaphore(self._lanes)

        async def in_lane(job: Job) -> None:
            async with lanes:
                await self._advance(job)

        await asyncio.gather(*(in_lane(job) for job in jobs))

    async def _prepare_bill(self, job: Job) -> bool:
        """Resolves the contact, and finds a bill that an earlier, unanswered try created.
        True when the bill still has to be created."""
        await self._steps.resolve_contact(job)
        if PublicationStep.CREATE_BILL.value in job.sent:
            found = await self._steps.find_bill(job)
            if found is not None:
                await self._steps.bill_created(job, found)
                return False
        return True

    async def _create_batch(self, batch: Sequence[Job]) -> None:
        key = batch_idempotency_key([j.key(PublicationStep.CREATE_BILL) for j in batch])
        try:
            refused = await self._steps.create_bills(batch, key)
        except XeroError as whole_batch:
            for job in batch:
                await self._failed(job, PublicationStep.CREATE_BILL, whole_batch)
            return
        for job in batch:
            refusal = refused.get(job.row.publication_id)
            if refusal is not None:
                await self._failed(job, PublicationStep.CREATE_BILL, refusal)

    async def _advance(self, job: Job) -> None:
        """Takes the job through its remaining steps, one stored step after the other."""
        if job.row.state in (PublicationState.FAILED, PublicationState.PARKED):
            return
        while True:
            step = next_step(job.state)
            if step is PublicationStep.CREATE_BILL:
                return  # refused or postponed in its batch; its outcome is already recorded
            if step is None:
                await self._guard(job, PublicationStep.ATTACH_ORIGINAL, self._steps.complete)
                return
            action = {
                PublicationStep.CREATE_BANK_TRANSACTION: self._steps.create_bank_transaction,
                PublicationStep.ATTACH_ORIGINAL: lambda j: self._steps.attach(
                    j, PublicationStep.ATTACH_ORIGINAL
                ),
                PublicationStep.ATTACH_AUDIT_REPORT: lambda j: self._steps.attach(
                    j, PublicationStep.ATTACH_AUDIT_REPORT
                ),
                PublicationStep.RECORD_PAYMENT: self._steps.record_payment,
            }[step]
            if not await self._guard(job, step, action):
                return

    async def _guard(
        self, job: Job, step: PublicationStep, action: Callable[[Job], Awaitable[object]]
    ) -> bool:
        """Runs one step; on failure records the outcome and returns False."""
        with log_context(publication_id=job.row.publication_id, step=step.value):
            try:
                result = await action(job)
            except XeroError as error:
                await self._failed(job, step, error)
                return False
        return result is not False

    # outcomes -------------------------------------------------------------------------------

    async def _failed(self, job: Job, step: PublicationStep, error: XeroError) -> None:
        final = isinstance(error, XeroValidationError | XeroNotFound)
        if isinstance(error, XeroRateLimited):
            # Not the publication's fault: the scheduler already pauses the organisation, and
            # the try is not counted towards parking.
            async with self._pool.acquire() as conn:
                await Publications(conn).postpone(
                    job.row.publication_id, self._backoff_base_s, None, count_attempt=False
                )
            return
        attempt = job.row.attempt + 1
        exhausted = attempt >= self._max_attempts or isinstance(error, XeroAuthError)
        detail = {"step": step.value, "messages": error.messages, "status": error.status}
        log.warning("publication step %s failed: %s", step.value, error)
        async with self._pool.acquire() as conn, conn.transaction():
            store = Publications(conn)
            if not final and not exhausted:
                await store.postpone(
                    job.row.publication_id, backoff_s(attempt, self._backoff_base_s), detail
                )
                return
            state = PublicationState.FAILED if final else PublicationState.PARKED
            await store.finish(job.row.publication_id, state, detail)
            event = PublicationFailed(
                **job.common(),
                step=step,
                messages=error.messages,
                retryable=not final,
                attempt=attempt,
                http_status=error.status,
                xero_invoice_id=job.progress["xero_invoice_id"],
            )
            await self._steps.emit(conn, job, event)
        job.row = job.row.__class__(**{**job.row.__dict__, "state": state.value})
