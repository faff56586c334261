"""What the notifier keeps of the organisation's people (approval.people.v1) and the mails
that need them: a connection alert to the admins (ledger.connections.v1), a bill changed in
Xero after approval or authorised there without approval to the admins
(ledger.publications.v1), a note to the substitute of an
absence. Recorded in the consumer's transaction, like every mail
(events.py); the sender sends them after the commit."""

from __future__ import annotations

import logging

import asyncpg
from countersign_contracts import (
    AbsenceSet,
    BillAuthorisedOutsideCountersign,
    BillChangedInXero,
    Envelope,
    LedgerConnectionChanged,
    UserAdded,
    UserChanged,
    UserRemoved,
)

from countersign_notifier.db.mail import MailLog
from countersign_notifier.db.people import People
from countersign_notifier.db.requests import Requests
from countersign_notifier.domain.bypass_mail import when_bill_bypassed
from countersign_notifier.domain.changes_mail import when_bill_changed
from countersign_notifier.domain.people_mail import (
    when_absence_set,
    when_connection_changed,
    when_user_invited,
)

__all__ = [
    "forget_user",
    "remember_user",
    "tell_admins",
    "tell_admins_bill_bypassed",
    "tell_admins_bill_changed",
    "tell_substitute",
]

log = logging.getLogger(__name__)


async def remember_user(
    conn: asyncpg.Connection, envelope: Envelope[UserAdded | UserChanged]
) -> None:
    """Their address and roles; a user an admin added is also invited by mail."""
    event = envelope.payload
    await People(conn).remember(event.organisation_id, event.user, event.roles)
    if isinstance(event, UserAdded) and await MailLog(conn).record(when_user_invited(event)):
        log.info("user %s of %s to invite", event.user.user_id, event.organisation_id)


async def forget_user(conn: asyncpg.Connection, envelope: Envelope[UserRemoved]) -> None:
    await People(conn).forget(envelope.payload.user.user_id)


async def tell_admins(
    conn: asyncpg.Connection, envelope: Envelope[LedgerConnectionChanged]
) -> None:
    event = envelope.payload
    admins = await People(conn).admins(event.organisation_id)
    added = await MailLog(conn).record(when_connection_changed(event, admins))
    if added:
        log.info(
            "%d admin(s) to tell that the %s connection of organisation %s is %s",
            added, event.ledger, event.organisation_id, event.status.value,
        )  # fmt: skip


async def tell_admins_bill_changed(
    conn: asyncpg.Connection, envelope: Envelope[BillChangedInXero]
) -> None:
    """The side-by-side of approved and now to each admin, with the bill as the request
    opened with (when the notifier knew it)."""
    event, organisation_id = envelope.payload, envelope.organisation_id
    if event.request_id is None:
        return
    known = await Requests(conn).get(event.request_id)
    admins = await People(conn).admins(organisation_id)
    bill = None if known is None else known.bill
    added = await MailLog(conn).record(when_bill_changed(event, organisation_id, admins, bill))
    if added:
        log.info(
            "%d admin(s) to tell that bill %s of request %s changed in Xero (%s)",
            added, event.xero_invoice_id, event.request_id,
            ", ".join(d.field for d in event.differences),
        )  # fmt: skip


async def tell_admins_bill_bypassed(
    conn: asyncpg.Connection, envelope: Envelope[BillAuthorisedOutsideCountersign]
) -> None:
    """Each admin is told of a bill authorised in Xero without approval, once per bill."""
    event, organisation_id = envelope.payload, envelope.organisation_id
    admins = await People(conn).admins(organisation_id)
    added = await MailLog(conn).record(when_bill_bypassed(event, organisation_id, admins))
    if added:
        log.info(
            "%d admin(s) to tell that bill %s was authorised in Xero outside Countersign",
            added, event.xero_invoice_id,
        )  # fmt: skip


async def tell_substitute(conn: asyncpg.Connection, envelope: Envelope[AbsenceSet]) -> None:
    event = envelope.payload
    if await MailLog(conn).record(when_absence_set(event)):
        log.info(
            "substitute %s to tell of an absence in organisation %s",
            event.substitute.user_id, event.organisation_id,
        )  # fmt: skip
