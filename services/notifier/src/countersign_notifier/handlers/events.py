"""The notifier's event handlers: each records, in the consumer's transaction (with the inbox
row of the event), the mails the event asks for. Nothing is sent here: the sender does that
after the commit (sending.py), so a crash in between loses no mail and a redelivered event,
whose mails are recorded already, adds none. Each event that says whom the request awaits
now also keeps that list (``db.awaiting``: what the daily digest reads), and its outcome
empties it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
from countersign_contracts import (
    Actor,
    Envelope,
    RequestApproverReassigned,
    RequestAuthorised,
    RequestCancelled,
    RequestOpened,
    RequestPublicationUpdated,
    RequestRejected,
    RequestStepDeadlineApproaching,
    RequestStepDecided,
    RequestStepEscalated,
    RequestStepOverdue,
    RequestSuperseded,
    StepRef,
)

from countersign_notifier.db.awaiting import Awaiting
from countersign_notifier.db.mail import MailLog
from countersign_notifier.db.requests import Requests
from countersign_notifier.domain import choosing
from countersign_notifier.domain.mail import Mail

__all__ = [
    "forget_awaiting",
    "remember_authorised",
    "tell_deadline_approaching",
    "tell_decided",
    "tell_escalated",
    "tell_opened",
    "tell_overdue",
    "tell_published",
    "tell_reassigned",
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


async def _keep_awaiting(
    conn: asyncpg.Connection,
    envelope: Envelope[Any],
    awaiting: list[Actor],
    step: StepRef | None,
    due_at: datetime | None = None,
) -> None:
    await Awaiting(conn).replace(
        envelope.organisation_id,
        envelope.payload.request_id,
        awaiting if step is not None else [],
        step.name if step is not None else None,
        due_at,
    )


async def tell_opened(conn: asyncpg.Connection, envelope: Envelope[RequestOpened]) -> None:
    event = envelope.payload
    await Requests(conn).remember(choosing.known_request(envelope.organisation_id, event))
    await _keep_awaiting(conn, envelope, event.awaiting, event.current_step)
    await _record(conn, envelope, choosing.when_opened(envelope.organisation_id, event))


async def remember_authorised(
    conn: asyncpg.Connection, envelope: Envelope[RequestAuthorised]
) -> None:
    """The bill as approved (recoded, maybe): what the mails after it show."""
    await Requests(conn).remember(
        choosing.known_request(envelope.organisation_id, envelope.payload)
    )
    await Awaiting(conn).clear(envelope.payload.request_id)


async def forget_awaiting(
    conn: asyncpg.Connection, envelope: Envelope[RequestSuperseded | RequestCancelled]
) -> None:
    """The request ended without a mail: it awaits nobody any more."""
    await Awaiting(conn).clear(envelope.payload.request_id)


async def tell_decided(conn: asyncpg.Connection, envelope: Envelope[RequestStepDecided]) -> None:
    event = envelope.payload
    known = await Requests(conn).get(event.request_id)
    step = event.next_step if event.step_completed else event.step
    await _keep_awaiting(conn, envelope, event.awaiting, step)
    await _record(conn, envelope, choosing.when_decided(envelope.organisation_id, event, known))


# The events about one step and its deadline: each says whom the step awaits, and its mails.
_OnTheClock = TypeVar(
    "_OnTheClock", RequestStepEscalated, RequestStepDeadlineApproaching, RequestStepOverdue
)


def _about_the_step(
    choose: Callable[[UUID, _OnTheClock, choosing.KnownRequest | None], list[Mail]],
) -> Callable[[asyncpg.Connection, Envelope[_OnTheClock]], Awaitable[None]]:
    async def tell(conn: asyncpg.Connection, envelope: Envelope[_OnTheClock]) -> None:
        event = envelope.payload
        known = await Requests(conn).get(event.request_id)
        await _keep_awaiting(conn, envelope, event.awaiting, event.step, event.due_at)
        await _record(conn, envelope, choose(envelope.organisation_id, event, known))

    return tell


tell_escalated = _about_the_step(choosing.when_escalated)
tell_deadline_approaching = _about_the_step(choosing.when_deadline_approaching)
tell_overdue = _about_the_step(choosing.when_overdue)


async def tell_reassigned(
    conn: asyncpg.Connection, envelope: Envelope[RequestApproverReassigned]
) -> None:
    event = envelope.payload
    known = await Requests(conn).get(event.request_id)
    await _keep_awaiting(conn, envelope, event.awaiting, event.step)
    await _record(conn, envelope, choosing.when_reassigned(envelope.organisation_id, event, known))


async def tell_rejected(conn: asyncpg.Connection, envelope: Envelope[RequestRejected]) -> None:
    event = envelope.payload
    known = await Requests(conn).get(event.request_id)
    await Awaiting(conn).clear(event.request_id)
    await _record(conn, envelope, choosing.when_rejected(event, known))


async def tell_published(
    conn: asyncpg.Connection, envelope: Envelope[RequestPublicationUpdated]
) -> None:
    event = envelope.payload
    known = await Requests(conn).get(event.request_id)
    await _record(conn, envelope, choosing.when_publication_updated(event, known))
