"""The publisher's progress on authorised requests, mirrored onto them. A bill pulled from Xero
(ADR 0058) is authorised there (``BillAuthorised``, as ``BillCreated``); when its request was
rejected, the publication returning it to DRAFT leaves the rejected request as it is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from countersign_contracts import (
    BillAuthorised,
    BillChangedInXero,
    BillCreated,
    Envelope,
    FieldChange,
    PublicationCancelled,
    PublicationCompleted,
    PublicationFailed,
    PublicationKind,
    PublicationStatus,
)

from countersign_approval.db.requests import Requests
from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.publication import (
    changed_comment,
    changed_in_xero,
    publication_given_up,
    publication_progressed,
)
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.handlers.running import flush_events

__all__ = [
    "bill_changed_in_xero",
    "bill_created",
    "publication_cancelled",
    "publication_completed",
    "publication_failed",
]

log = logging.getLogger(__name__)


Apply = Callable[[ApprovalRequest, datetime], None]
"""What a publisher event does to its request, at a moment."""


async def _progress(conn: asyncpg.Connection, envelope: Envelope[Any], apply: Apply) -> None:
    """Applies a bill publication's news to its authorised request, locked."""
    event: (
        BillCreated
        | BillAuthorised
        | PublicationCompleted
        | PublicationFailed
        | PublicationCancelled
        | BillChangedInXero
    ) = envelope.payload
    if event.kind is not PublicationKind.BILL or event.request_id is None:
        return
    requests = Requests(conn)
    stored = await requests.get(envelope.organisation_id, event.request_id, lock=True)
    if stored is None:
        log.warning(
            "publication %s names unknown request %s", event.publication_id, event.request_id
        )
        return
    if stored.request.state is RequestState.REJECTED:
        return  # the bill pulled from Xero goes back to DRAFT: the request stays rejected
    apply(stored.request, datetime.now(UTC))
    await requests.save(stored)
    await flush_events(conn, stored, envelope.event_id)


def _reached(
    event: BillCreated | BillAuthorised | PublicationCompleted | PublicationFailed,
    status: PublicationStatus,
    messages: list[str] | None = None,
) -> Apply:
    def apply(request: ApprovalRequest, now: datetime) -> None:
        publication_progressed(
            request, event.publication_id, status, now,
            xero_invoice_id=getattr(event, "xero_invoice_id", None), ledger=event.ledger,
            ledger_bill_id=getattr(event, "ledger_bill_id", None), messages=messages,
        )  # fmt: skip

    return apply


async def bill_created(
    conn: asyncpg.Connection, envelope: Envelope[BillCreated] | Envelope[BillAuthorised]
) -> None:
    await _progress(conn, envelope, _reached(envelope.payload, PublicationStatus.PUBLISHING))


async def publication_completed(
    conn: asyncpg.Connection, envelope: Envelope[PublicationCompleted]
) -> None:
    await _progress(conn, envelope, _reached(envelope.payload, PublicationStatus.PUBLISHED))


async def publication_failed(
    conn: asyncpg.Connection, envelope: Envelope[PublicationFailed]
) -> None:
    failed = envelope.payload
    reached = _reached(failed, PublicationStatus.PUBLISH_FAILED, list(failed.messages))
    await _progress(conn, envelope, reached)


async def publication_cancelled(
    conn: asyncpg.Connection, envelope: Envelope[PublicationCancelled]
) -> None:
    given_up = envelope.payload

    def apply(request: ApprovalRequest, now: datetime) -> None:
        publication_given_up(
            request, given_up.publication_id, given_up.cancelled_by_name, given_up.reason, now
        )

    await _progress(conn, envelope, apply)


async def bill_changed_in_xero(
    conn: asyncpg.Connection, envelope: Envelope[BillChangedInXero]
) -> None:
    """Recorded on the request's trail (shown by ``GET /requests/{id}``), its state unchanged."""
    changed = envelope.payload
    changes = [
        FieldChange(field=d.field, before=d.approved, after=d.now) for d in changed.differences
    ]
    comment = changed_comment(changed)

    def apply(request: ApprovalRequest, now: datetime) -> None:
        changed_in_xero(request, changed.xero_updated_at, changes, comment, changed.ledger)

    await _progress(conn, envelope, apply)
