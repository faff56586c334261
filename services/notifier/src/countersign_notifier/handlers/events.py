"""The notifier's event handlers: each records, in the consumer's transaction (with the inbox
row of the event), the mails the event asks for. Nothing is sent here: the sender does that
after the commit (sending.py), so a crash in between loses no mail and a redelivered event,
whose mails are recorded already, adds none."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import asyncpg
from countersign_contracts import (
    Envelope,
    RequestAuthorised,
    RequestOpened,
    RequestPublicationUpdated,
    RequestRejected,
    RequestStepDecided,
    RequestStepEscalated,
    RequestStepOverdue,
)

from countersign_notifier.db.mail import MailLog
from countersign_notifier.db.requests import Requests
from countersign_notifier.domain import choosing
from countersign_notifier.domain.mail import Mail

__all__ = [
    "remember_authorised",
    "tell_decided",
    "tell_escalated",
    "tell_opened",
    "tell_overdue",
    "tell_published",
    "tell_rejected",
]

log = logging.getLogger(__name__)


async def _record(conn: asyncpg.Connection, envelope: Envelope[Any], mails: Sequence[Mail]) -> None:
    added = await MailLog(conn).record(mails)
    if added:
        log.info(
            "%d mail(s) to send for %s of request %s (organisation %s)",
            added, envelope.event_type, envelope.subject_id, envelope.organisation_id,
        )  # fmt: skip


async def tell_opened(conn: asyncpg.Connection, envelope: Envelope[RequestOpened]) -> None:
    event = envelope.payload
    await Requests(conn).remember(choosing.known_request(envelope.organisation_id, event))
    await _record(conn, envelope, choosing.when_opened(envelope.organisation_id, event))


async def remember_authorised(
    conn: asyncpg.Connection, envelope: Envelope[RequestAuthorised]
) -> None:
    """The bill as approved (recoded, maybe): what the mails after it show."""
    await Requests(conn).remember(
        choosing.known_request(envelope.organisation_id, envelope.payload)
    )


async def tell_decided(conn: asyncpg.Connection, envelope: Envelope[RequestStepDecided]) -> None:
    event = envelope.payload
    known = await Requests(conn).get(event.request_id)
    await _record(conn, envelope, choosing.when_decided(envelope.organisation_id, event, known))


async def tell_escalated(
    conn: asyncpg.Connection, envelope: Envelope[RequestStepEscalated]
) -> None:
    event = envelope.payload
    known = await Requests(conn).get(event.request_id)
    await _record(conn, envelope, choosing.when_escalated(envelope.organisation_id, event, known))


async def tell_overdue(conn: asyncpg.Connection, envelope: Envelope[RequestStepOverdue]) -> None:
    event = envelope.payload
    known = await Requests(conn).get(event.request_id)
    await _record(conn, envelope, choosing.when_overdue(envelope.organisation_id, event, known))


async def tell_rejected(conn: asyncpg.Connection, envelope: Envelope[RequestRejected]) -> None:
    event = envelope.payload
    known = await Requests(conn).get(event.request_id)
    await _record(conn, envelope, choosing.when_rejected(event, known))


async def tell_published(
    conn: asyncpg.Connection, envelope: Envelope[RequestPublicationUpdated]
) -> None:
    event = envelope.payload
    known = await Requests(conn).get(event.request_id)
    await _record(conn, envelope, choosing.when_publication_updated(event, known))
