"""How a publication ends, or waits: completed when every step is done; after a failed step,
failed (the ledger refused the content, ``retryable=false``), parked (transient trouble ran out of
tries, or the connection broke, ``retryable=true``) or postponed with a backoff. A 429 only
postpones: it is not the publication's fault, and the try is not counted."""

from __future__ import annotations

import logging
from dataclasses import replace

from countersign_contracts import (
    PublicationCompleted,
    PublicationFailed,
    PublicationKind,
    PublicationStep,
)

from countersign_publisher.db.publications import Publications
from countersign_publisher.domain.publication import PublicationState, RetryPolicy
from countersign_publisher.handlers.events import emit_publication_event
from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.recording import StepPorts
from countersign_publisher.ledger.errors import (
    LedgerAuthLost,
    LedgerError,
    LedgerNotFound,
    LedgerRateLimited,
    LedgerRefused,
)

__all__ = ["complete", "fail"]

log = logging.getLogger(__name__)


async def complete(ports: StepPorts, job: Job) -> None:
    bill_kind = job.kind is PublicationKind.BILL
    event = PublicationCompleted(
        **job.common(),
        **job.named(
            ledger_bill_id=job.progress.ledger_bill_id if bill_kind else None,
            ledger_expense_id=None if bill_kind else job.progress.ledger_expense_id,
        ),
        xero_status=str(job.progress.xero_status or "AUTHORISED"),
    )
    async with ports.pool.acquire() as conn, conn.transaction():
        await Publications(conn).finish(job.row.publication_id, PublicationState.COMPLETED)
        await emit_publication_event(conn, event, job.cause)


async def fail(
    ports: StepPorts, policy: RetryPolicy, job: Job, step: PublicationStep, error: LedgerError
) -> None:
    final = isinstance(error, LedgerRefused | LedgerNotFound)
    if isinstance(error, LedgerRateLimited):
        # Not the publication's fault: the scheduler already pauses the organisation, and
        # the try is not counted towards parking.
        async with ports.pool.acquire() as conn:
            await Publications(conn).postpone(
                job.row.publication_id, policy.backoff_base_s, None, count_attempt=False
            )
        return
    attempt = job.row.attempt + 1
    exhausted = policy.exhausted(attempt) or isinstance(error, LedgerAuthLost)
    detail = {"step": step.value, "messages": error.messages, "status": error.status}
    log.warning("publication step %s failed: %s", step.value, error)
    async with ports.pool.acquire() as conn, conn.transaction():
        store = Publications(conn)
        if not final and not exhausted:
            await store.postpone(job.row.publication_id, policy.delay_s(attempt), detail)
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
            **job.named(ledger_bill_id=job.progress.ledger_bill_id),
        )
        await emit_publication_event(conn, event, job.cause)
    job.row = replace(job.row, state=state.value)
