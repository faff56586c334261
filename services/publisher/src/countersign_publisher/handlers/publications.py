"""The operator's use cases on publications: read them, and put a stopped one back to work."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from countersign_publisher.db.publications import PublicationRow, Publications
from countersign_publisher.domain.publication import NotRetryable, PublicationNotFound

__all__ = ["find_publication", "publications_of_item", "retry_publication_now"]


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
