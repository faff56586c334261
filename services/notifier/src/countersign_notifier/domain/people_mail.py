"""Mails about no one request, from what the notifier keeps of the organisation's people
(approval.people.v1) and of what awaits whom:

    LedgerConnectionChanged (needs_reconnect) ─▶ connection    to each admin, once per change
    AbsenceSet                                ─▶ standing_in   to the substitute, once per absence
    UserAdded (by an admin)                   ─▶ invited       to the new user, once
    the daily digest pass                     ─▶ digest        to each person something awaits,
                                                               once per day

Keyed like every mail (``MailKey``): no request and no step, the occasion telling them apart,
so a second instance, a redelivery or a second pass the same day adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from countersign_contracts import (
    AbsenceSet,
    LedgerConnectionChanged,
    LedgerConnectionStatus,
    UserAdded,
)

from countersign_notifier.domain.mail import Mail, MailFacts, MailKey, MailKind, WaitingItem

__all__ = [
    "Admin",
    "Waiting",
    "digests",
    "when_absence_set",
    "when_connection_changed",
    "when_user_invited",
]

# What a connection alert is about: the ledger refused our grant, and only an admin's new
# consent mends it. An admin's own disconnect is what they asked for; nobody is told.
_NEEDS_AN_ADMIN = (LedgerConnectionStatus.NEEDS_RECONNECT,)


@dataclass(frozen=True)
class Admin:
    user_id: UUID
    email: str
    name: str


@dataclass(frozen=True)
class Waiting:
    """A request that awaits a person, as the notifier learnt it from the request's events."""

    organisation_id: UUID
    recipient: str
    user_id: UUID
    name: str
    item: WaitingItem


def when_connection_changed(event: LedgerConnectionChanged, admins: Iterable[Admin]) -> list[Mail]:
    if event.status not in _NEEDS_AN_ADMIN:
        return []
    mails: dict[str, Mail] = {}
    for admin in admins:
        recipient = admin.email.strip().lower()
        facts = MailFacts(
            recipient_name=admin.name,
            organisation_name=event.tenant_name,
            connection_status=event.status.value,
            reason=event.reason,
            ledger=event.ledger,
        )
        occasion = f"{event.ledger}:{event.status.value}:{event.changed_at.isoformat()}"
        key = MailKey(event.organisation_id, None, MailKind.CONNECTION, None, recipient, occasion)
        mails.setdefault(recipient, Mail(key, None, facts))
    return list(mails.values())


def when_absence_set(event: AbsenceSet) -> list[Mail]:
    substitute = event.substitute
    facts = MailFacts(
        recipient_name=substitute.name,
        absent_name=event.user.name,
        starts_at=event.starts_at.isoformat(),
        ends_at=event.ends_at.isoformat(),
    )
    occasion = f"{event.user.user_id}:{event.starts_at.isoformat()}:{event.ends_at.isoformat()}"
    recipient = substitute.email.strip().lower()
    key = MailKey(event.organisation_id, None, MailKind.STANDING_IN, None, recipient, occasion)
    return [Mail(key, None, facts)]


def when_user_invited(event: UserAdded) -> list[Mail]:
    """The invitation, when an admin added the user; the organisation's first admin, whom the
    operator registered, hears from the operator."""
    if event.added_by is None:
        return []
    user = event.user
    facts = MailFacts(
        recipient_name=user.name,
        organisation_name=event.organisation_name,
        invited_by=event.added_by.name,
        roles=sorted(event.roles),
    )
    recipient = user.email.strip().lower()
    key = MailKey(event.organisation_id, None, MailKind.INVITED, None, recipient, str(user.user_id))
    return [Mail(key, None, facts)]


def digests(day: date, waiting: Sequence[Waiting]) -> list[Mail]:
    """One digest per person (and organisation) something waits for, listing it all."""
    grouped: dict[tuple[UUID, str], list[Waiting]] = {}
    for each in waiting:
        grouped.setdefault((each.organisation_id, each.recipient), []).append(each)
    mails = []
    for (organisation_id, recipient), theirs in grouped.items():
        facts = MailFacts(recipient_name=theirs[0].name, waiting=[w.item for w in theirs])
        key = MailKey(organisation_id, None, MailKind.DIGEST, None, recipient, day.isoformat())
        mails.append(Mail(key, theirs[0].user_id, facts))
    return mails
