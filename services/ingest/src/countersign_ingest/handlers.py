"""Ingest's use cases: take what Dext sends, and follow the item through the other services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import (
    COST_ITEMS,
    Bill,
    CostItemSubmitted,
    Envelope,
    new_envelope,
)
from countersign_platform.outbox import enqueue

from countersign_ingest.db import CostItems
from countersign_ingest.domain import ItemStatus, content_digest

__all__ = ["Receipt", "record_request_progress", "submit_cost_item"]

PRODUCER = "ingest"


@dataclass(frozen=True)
class Receipt:
    dext_item_id: str
    version: int
    correlation_id: UUID
    created: bool


async def submit_cost_item(
    conn: asyncpg.Connection, organisation_id: UUID, dext_item_id: str, bill: Bill
) -> Receipt:
    """Stores a new version of the item and announces it; the same content again is a no-op."""
    items = CostItems(conn)
    content = bill.model_dump(mode="json")
    digest = content_digest(content)
    async with conn.transaction():
        current = await items.get(organisation_id, dext_item_id, lock=True)
        if current is not None and current.content_sha256 == digest:
            return Receipt(dext_item_id, current.latest_version, current.correlation_id, False)
        version = 1 if current is None else current.latest_version + 1
        correlation_id = uuid.uuid4() if current is None else current.correlation_id
        await items.add_version(
            organisation_id,
            dext_item_id,
            version,
            correlation_id,
            digest,
            bill.model_dump_json(),
            ItemStatus.RECEIVED,
        )
        event = CostItemSubmitted(
            dext_item_id=dext_item_id,
            version=version,
            supersedes_version=None if current is None else current.latest_version,
            bill=bill,
            submitted_at=datetime.now(UTC),
        )
        await enqueue(
            conn,
            COST_ITEMS,
            new_envelope(
                event,
                producer=PRODUCER,
                organisation_id=organisation_id,
                correlation_id=correlation_id,
            ),
        )
    return Receipt(dext_item_id, version, correlation_id, True)


_STATUS_BY_EVENT = {
    "RequestOpened": ItemStatus.IN_APPROVAL,
    "RequestAuthorised": ItemStatus.AUTHORISED,
    "RequestRejected": ItemStatus.REJECTED,
}


async def record_request_progress(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    payload = envelope.payload
    detail = {"request_id": str(payload.request_id), "event": envelope.event_type}
    await CostItems(conn).set_status(
        envelope.organisation_id,
        payload.dext_item_id,
        payload.item_version,
        _STATUS_BY_EVENT[envelope.event_type],
        detail,
    )
