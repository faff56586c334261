"""The publisher's progress on authorised requests, mirrored onto them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg
from countersign_contracts import (
    BillCreated,
    Envelope,
    PublicationCancelled,
    PublicationCompleted,
    PublicationFailed,
    PublicationKind,
    PublicationStatus,
)

from countersign_approval.db.requests import Requests
from countersign_approval.domain.publication import publication_given_up, publication_progressed
from countersign_approval.handlers.running import flush_events

__all__ = [
    "bill_created",
    "publication_cancelled",
    "publication_completed",
    "publication_failed",
]

log = logging.getLogger(__name__)


async def _progress(
    conn: asyncpg.Connection,
    envelope: Envelope[Any],
    status: PublicationStatus,
    messages: list[str] | None = None,
) -> None:
    event: BillCreated | PublicationCompleted | PublicationFailed | PublicationCancelled = (
        envelope.payload
    )
    if event.kind is not PublicationKind.BILL or event.request_id is None:
        return
    requests = Requests(conn)
    stored = await requests.get(envelope.organisation_id, event.request_id, lock=True)
    if stored is None:
        log.warning(
            "publication %s names unknown request %s", event.publication_id, event.request_id
        )
        return
    now = datetime.now(UTC)
    if isinstance(event, PublicationCancelled):
        publication_given_up(
            stored.request, event.publication_id, event.cancelled_by_name, event.reason, now
        )
    else:
        publication_progressed(
            stored.request,
            event.publication_id,
            status,
            now,
            xero_invoice_id=getattr(event, "xero_invoice_id", None),
            messages=messages,
        )
    await requests.save(stored)
    await flush_events(conn, stored, envelope.event_id)


async def bill_created(conn: asyncpg.Connection, envelope: Envelope[BillCreated]) -> None:
    await _progress(conn, envelope, PublicationStatus.PUBLISHING)


async def publication_completed(
    conn: asyncpg.Connection, envelope: Envelope[PublicationCompleted]
) -> None:
    await _progress(conn, envelope, PublicationStatus.PUBLISHED)


async def publication_failed(
    conn: asyncpg.Connection, envelope: Envelope[PublicationFailed]
) -> None:
    messages = list(envelope.payload.messages)
    await _progress(conn, envelope, PublicationStatus.PUBLISH_FAILED, messages)


async def publication_cancelled(
    conn: asyncpg.Connection, envelope: Envelope[PublicationCancelled]
) -> None:
    await _progress(conn, envelope, PublicationStatus.PUBLICATION_CANCELLED)
