"""One claim of an organisation's jobs, run to their outcomes.

contacts resolved, bills sent before looked up ─▶ the remaining bills created in batches
─▶ every job on through its next steps (``next_step``, each run by its handler in
   ``STEP_HANDLERS``), as many jobs at once as the organisation may have calls in flight
─▶ completed, or failed / parked / postponed at the step that failed
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import MappingProxyType

from countersign_contracts import PublicationStep
from countersign_platform.telemetry import log_context
from countersign_platform.tracing import span

from countersign_publisher.domain.identifiers import batch_idempotency_key
from countersign_publisher.domain.progress import next_step
from countersign_publisher.domain.publication import PublicationState, RetryPolicy
from countersign_publisher.handlers.attachments import attach_audit_report, attach_original
from countersign_publisher.handlers.history import write_history
from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.outcomes import complete, fail
from countersign_publisher.handlers.payments import record_payment
from countersign_publisher.handlers.pulled_publications import authorise_bill, return_to_draft
from countersign_publisher.handlers.recording import StepPorts
from countersign_publisher.handlers.records import (
    bill_created,
    create_bank_transaction,
    create_bills,
    find_bill,
    resolve_contact,
)
from countersign_publisher.ledger.errors import LedgerError

__all__ = ["STEP_HANDLERS", "Publishing"]

StepHandler = Callable[[StepPorts, Job], Awaitable[None]]

STEP_HANDLERS: Mapping[PublicationStep, StepHandler] = MappingProxyType(
    {
        PublicationStep.CREATE_BANK_TRANSACTION: create_bank_transaction,
        PublicationStep.AUTHORISE_BILL: authorise_bill,
        PublicationStep.RETURN_TO_DRAFT: return_to_draft,
        PublicationStep.WRITE_HISTORY: write_history,
        PublicationStep.ATTACH_ORIGINAL: attach_original,
        PublicationStep.ATTACH_AUDIT_REPORT: attach_audit_report,
        PublicationStep.RECORD_PAYMENT: record_payment,
    }
)
"""Which handler takes a job through which step. ``create_bill`` is not here: bills are created
in batches for the whole claim (``Publishing.publish``) before any job moves on alone."""


class Publishing:
    """Runs claimed jobs through their steps; a failed step's outcome goes by ``policy``."""

    def __init__(
        self, ports: StepPorts, policy: RetryPolicy, *, batch_size: int = 50, lanes: int = 5
    ) -> None:
        self.ports = ports
        self._policy = policy
        self._batch_size = batch_size
        self._lanes = lanes

    async def publish(self, jobs: Sequence[Job]) -> None:
        waiting: list[Job] = []
        for job in jobs:
            if next_step(job.progress) is PublicationStep.CREATE_BILL:
                ready = await self._guard(job, PublicationStep.CREATE_BILL, self._prepare_bill(job))
                if ready:
                    waiting.append(job)
        # The jobs are one organisation's: its ledger says how many bills one call may create.
        size = min(self._batch_size, self.ports.ledger(waiting[0]).max_batch) if waiting else 1
        for start in range(0, len(waiting), size):
            await self._create_batch(waiting[start : start + size])
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
        await resolve_contact(self.ports, job)
        if job.progress.was_sent(PublicationStep.CREATE_BILL):
            found = await find_bill(self.ports, job)
            if found is not None:
                await bill_created(self.ports, job, found)
                return False
        return True

    async def _create_batch(self, batch: Sequence[Job]) -> None:
        key = batch_idempotency_key([j.key(PublicationStep.CREATE_BILL) for j in batch])
        # One call for bills of several traces: the span continues the first job's trace and
        # links the others'.
        contexts = [c for c in (job.trace_context() for job in batch) if c is not None]
        try:
            with span(
                "publication create_bill batch",
                parent=contexts[0] if contexts else None,
                links=contexts[1:],
                attributes={"countersign.batch_size": len(batch)},
            ):
                refused = await create_bills(self.ports, batch, key)
        except LedgerError as whole_batch:
            for job in batch:
                await fail(self.ports, self._policy, job, PublicationStep.CREATE_BILL, whole_batch)
            return
        for job in batch:
            refusal = refused.get(job.row.publication_id)
            if refusal is not None:
                await fail(self.ports, self._policy, job, PublicationStep.CREATE_BILL, refusal)

    async def _advance(self, job: Job) -> None:
        """Takes the job through its remaining steps, one stored step after the other."""
        if job.row.state in (PublicationState.FAILED, PublicationState.PARKED):
            return
        while True:
            step = next_step(job.progress)
            if step is PublicationStep.CREATE_BILL:
                return  # refused or postponed in its batch; its outcome is already recorded
            if step is None:
                # Logged under attach_original, the last step every publication takes.
                await self._guard(job, PublicationStep.ATTACH_ORIGINAL, complete(self.ports, job))
                return
            if not await self._guard(job, step, STEP_HANDLERS[step](self.ports, job)):
                return

    async def _guard(self, job: Job, step: PublicationStep, work: Awaitable[object]) -> bool:
        """Runs one step; on failure records the outcome and returns False."""
        with (
            log_context(publication_id=job.row.publication_id, step=step.value),
            span(f"publication {step.value}", parent=job.trace_context()),
        ):
            try:
                result = await work
            except LedgerError as error:
                await fail(self.ports, self._policy, job, step, error)
                return False
        return result is not False
