"""Emitting the publisher's events through the outbox, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg
from countersign_contracts import LEDGER_PUBLICATIONS, LEDGER_SUPPLIERS, EventPayload, new_envelope
from countersign_platform.outbox import enqueue

from countersign_publisher.adapters.xero_mapping import Json, supplier_synced

__all__ = ["PRODUCER", "Cause", "emit_publication_event", "emit_supplier"]

PRODUCER = "publisher"


@dataclass(frozen=True)
class Cause:
    """Whose event it is, and what led to it: the envelope fields the publisher does not make
    up itself."""

    organisation_id: UUID
    correlation_id: UUID
    causation_id: UUID | None = None


async def _emit(conn: asyncpg.Connection, topic: str, payload: EventPayload, cause: Cause) -> None:
    envelope = new_envelope(
        payload,
        producer=PRODUCER,
        organisation_id=cause.organisation_id,
        correlation_id=cause.correlation_id,
        causation_id=cause.causation_id,
    )
    await enqueue(conn, topic, envelope)


async def emit_publication_event(
    conn: asyncpg.Connection, payload: EventPayload, cause: Cause
) -> None:
    await _emit(conn, LEDGER_PUBLICATIONS, payload, cause)


async def emit_supplier(conn: asyncpg.Connection, contact: Json, cause: Cause) -> None:
    await _emit(conn, LEDGER_SUPPLIERS, supplier_synced(contact), cause)
