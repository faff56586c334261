"""Use cases on recorded publications: the operator reads them; an operator, or approval's
``PublicationRetryRequested``, puts a stopped one back to work — with the bill an administrator
recoded, when the retry carries one; approval's ``PublicationCancelRequested`` gives a stopped
one up if its bill is not in Xero (``PublicationCancelled``)."""

from __future__ import annotations

import json
import logging
from uuid import UUID

import asyncpg
from countersign_contracts import (
    Envelope,
    PublicationCancelled,
    PublicationCancelRequested,
    PublicationKind,
    PublicationRetryRequested,
)

from countersign_publisher.db.publications import PublicationRow, Publications
from countersign_publisher.domain.publication import NotRetryable, PublicationNotFound
from countersign_publisher.handlers.events import Cause, emit_publication_event

__all__ = [
    "cancel_publication",
    "find_publication",
    "publications_of_item",
    "retry_publication",
    "retry_publication_now",
]

log = logging.getLogger(__name__)


async def publications_of_item(
    pool: asyncpg.Pool, organisation_id: UUID, dext_item_id: str
) -> list[PublicationRow]:
    async with pool.acquire() as conn:
        return await Publications(conn).for_item(organisation_id, dext_item_id)


async def find_publication(
    pool: asyncpg.Pool, organisation_id: UUID, publication_id: UUID
) -> PublicationRow:
    async with pool.acquire() as conn:
        row = await Publications(conn).get(organisation_id, publication_id)
    if row is None:
        raise PublicationNotFound(f"{publication_id}")
    return row


async def retry_publication_now(
    pool: asyncpg.Pool, organisation_id: UUID, publication_id: UUID
) -> PublicationRow:
    """Reopens a failed or parked publication under a new generation; its NOTIFY wakes a
    worker."""
    current = await find_publication(pool, organisation_id, publication_id)
    async with pool.acquire() as conn:
        reopened = await Publications(conn).reopen(organisation_id, publication_id)
    if reopened is None:
        raise NotRetryable(
            f"state is {current.state}; only failed or parked publications can be retried"
        )
    return reopened


async def retry_publication(
    conn: asyncpg.Connection, envelope: Envelope[PublicationRetryRequested]
) -> None:
    """Puts a failed or parked publication back to work; anything else is left as it is."""
    retry = envelope.payload
    if retry.bill is not None:
        trail = [entry.model_dump(mode="json") for entry in retry.audit_trail or []]
        recoded = await Publications(conn).recode(
            envelope.organisation_id,
            retry.publication_id,
            retry.bill.model_dump_json(),
            json.dumps(trail),
        )
        if not recoded:
            log.info(
                "recoded bill of publication %s ignored: not stopped before Xero",
                retry.publication_id,
            )
    reopened = await Publications(conn).reopen(envelope.organisation_id, retry.publication_id)
    if reopened is None:
        log.info("retry of publication %s ignored: not failed", retry.publication_id)


async def cancel_publication(
    conn: asyncpg.Connection, envelope: Envelope[PublicationCancelRequested]
) -> None:
    """Gives the publication up if it has stopped and its bill is not in Xero; otherwise it is
    left as it is, and its own events tell approval where it stands."""
    asked = envelope.payload
    row = await Publications(conn).cancel(envelope.organisation_id, asked.publication_id)
    if row is None:
        log.info("cancel of publication %s ignored: not stopped before Xero", asked.publication_id)
        return
    cancelled = PublicationCancelled(
        publication_id=row.publication_id,
        kind=PublicationKind(row.kind),
        request_id=row.request_id,
        dext_item_id=row.dext_item_id,
        item_version=row.item_version,
        cancelled_by_name=asked.requested_by.name,
        reason=asked.reason,
        cancelled_at=asked.requested_at,
    )
    cause = Cause(
        envelope.organisation_id,
        envelope.correlation_id,
        envelope.event_id,
        ledger=row.progress.ledger,
    )
    await emit_publication_event(conn, cancelled, cause)
