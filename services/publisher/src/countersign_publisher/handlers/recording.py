"""How a step's outcome is kept (ADR 0035): the step is marked sent before its request leaves;
its ledger ids are stored, and its event written to the outbox, in one transaction before the
next step starts.

    mark_sent ─▶ the ledger call ─▶ <step>:sent ─▶ store (ids + event, one transaction)
              ─▶ <step>:stored ─▶ the next step

``<step>:sent`` and ``<step>:stored`` are where the crash hook is called: tests raise from it to
stand in for a process dying there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg
from countersign_contracts import EventPayload, PublicationStep

from countersign_publisher.adapters.documents import OriginalDocuments
from countersign_publisher.db.publications import Publications
from countersign_publisher.domain.progress import Progress
from countersign_publisher.handlers.contacts import ContactDirectory
from countersign_publisher.handlers.events import emit_publication_event
from countersign_publisher.handlers.job import Job
from countersign_publisher.ledger.ledgers import Ledgers
from countersign_publisher.ledger.port import Ledger

__all__ = ["CONTACT", "CrashHook", "StepPorts", "mark_sent", "no_crash", "store"]

CrashHook = Callable[[str], None]
"""Called at ``<step>:sent`` (the ledger answered, nothing stored yet) and ``<step>:stored``."""

CONTACT = "contact"
"""The crash point of a stored contact: resolved before a record is created, no step of its
own."""


def no_crash(point: str) -> None:
    pass


@dataclass(frozen=True)
class StepPorts:
    """What the publication steps work with, built once in ``app.assemble``: the steps reach
    the ledgers only through ``ledgers``: ``ledger(job)`` is the job's own (ADR 0065, 0069)."""

    pool: asyncpg.Pool
    ledgers: Ledgers
    contacts: ContactDirectory
    documents: OriginalDocuments
    crash: CrashHook = field(default=no_crash)

    def ledger(self, job: Job) -> Ledger:
        """The adapter of the ledger the job's organisation is connected to."""
        return self.ledgers.of(job.progress.ledger)


async def mark_sent(ports: StepPorts, jobs: Sequence[Job], step: PublicationStep) -> None:
    async with ports.pool.acquire() as conn:
        await Publications(conn).mark_sent([j.row.publication_id for j in jobs], step)
    for job in jobs:
        job.progress = job.progress.sending(step)


async def store(
    ports: StepPorts,
    job: Job,
    step: PublicationStep | None,
    after: Progress,
    event: EventPayload | None,
    also: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
) -> None:
    """Stores the step's outcome (``step`` None: the contact) with its event and whatever
    ``also`` writes, in one transaction."""
    async with ports.pool.acquire() as conn, conn.transaction():
        await Publications(conn).record_step(job.row.publication_id, step, job.progress, after)
        if event is not None:
            await emit_publication_event(conn, event, job.cause)
        if also is not None:
            await also(conn)
    job.progress = after.answered(step)
    ports.crash(f"{CONTACT if step is None else step.value}:stored")
