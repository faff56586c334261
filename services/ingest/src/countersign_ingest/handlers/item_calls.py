"""The frame of every state-changing Dext call, all in the call's one transaction:

    remember the signature ─▶ lock and read the item ─▶ (the use case) ─▶ announce the event
         │ seen before: Replayed, and nothing more happens     (outbox: relayed after commit)

A call refused anywhere in between leaves nothing behind, not even its signature.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_contracts import EventPayload, new_envelope
from countersign_platform.outbox import enqueue

from countersign_ingest.db.credentials import remember_signature
from countersign_ingest.db.items import Items, lock_item
from countersign_ingest.domain.items import StoredItem

__all__ = ["PRODUCER", "Replayed", "announce", "begin_item_call"]

PRODUCER = "ingest"


class Replayed(Exception):
    """The call's signature was accepted before."""


async def begin_item_call(
    conn: asyncpg.Connection, organisation_id: UUID, dext_item_id: str, signature: str
) -> StoredItem | None:
    """The item (None if new), locked for the rest of the caller's transaction."""
    if not await remember_signature(conn, organisation_id, signature):
        raise Replayed()
    await lock_item(conn, organisation_id, dext_item_id)
    return await Items(conn).get(organisation_id, dext_item_id, lock=True)


async def announce(
    conn: asyncpg.Connection,
    topic: str,
    event: EventPayload,
    organisation_id: UUID,
    correlation_id: UUID,
) -> None:
    envelope = new_envelope(
        event, producer=PRODUCER, organisation_id=organisation_id, correlation_id=correlation_id
    )
    await enqueue(conn, topic, envelope)
