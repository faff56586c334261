"""Emitting the publisher's events through the outbox, inside the caller's transaction."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_contracts import LEDGER_PUBLICATIONS, LEDGER_SUPPLIERS, EventPayload, new_envelope
from countersign_platform.outbox import enqueue

from countersign_publisher.adapters.xero_mapping import Json, supplier_synced

__all__ = ["PRODUCER", "emit_publication_event", "emit_supplier"]

PRODUCER = "publisher"


async def emit_publication_event(
    conn: asyncpg.Connection,
    payload: EventPayload,
    *,
    organisation_id: UUID,
    correlation_id: UUID,
    causation_id: UUID | None,
) -> None:
    envelope = new_envelope(
        payload,
        producer=PRODUCER,
        organisation_id=organisation_id,
        correlation_id=correlation_id,
        causation_id=causation_id,
    )
    await enqueue(conn, LEDGER_PUBLICATIONS, envelope)


async def emit_supplier(
    conn: asyncpg.Connection,
    contact: Json,
    *,
    organisation_id: UUID,
    correlation_id: UUID,
    causation_id: UUID | None = None,
) -> None:
    envelope = new_envelope(
        supplier_synced(contact),
        producer=PRODUCER,
        organisation_id=organisation_id,
        correlation_id=correlation_id,
        causation_id=causation_id,
    )
    await enqueue(conn, LEDGER_SUPPLIERS, envelope)
