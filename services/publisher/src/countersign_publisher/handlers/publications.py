"""Use cases on recorded publications: the operator reads them; an operator, or approval's
``PublicationRetryRequested``, puts a stopped one back to work."""

from __future__ import annotations

import logging
from uuid import UUID

import asyncpg
from countersign_contracts import Envelope, PublicationRetryRequested

from countersign_publisher.db.publications import PublicationRow, Publications
from countersign_publisher.domain.publication import NotRetryable, PublicationNotFound

__all__ = [
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
    reopened = await Publications(conn).reopen(envelope.organisation_id, retry.publication_id)
    if reopened is None:
        log.info("retry of publication %s ignored: not failed", retry.publication_id)
