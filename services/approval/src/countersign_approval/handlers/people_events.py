"""What approval tells the other services of an organisation's people, on approval.people.v1
(ADR 0050): each change is enqueued in the transaction that makes it, so the notifier knows
who an address belongs to, who the admins are and who stands in for whom, never ahead of or
behind approval."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from countersign_contracts import (
    PEOPLE,
    AbsenceCleared,
    AbsenceSet,
    EventPayload,
    UserAdded,
    UserChanged,
    UserRef,
    UserRemoved,
    new_envelope,
)
from countersign_platform.outbox import enqueue

from countersign_approval.db.organisations import Organisations
from countersign_approval.domain.absences import Absence
from countersign_approval.domain.people import Participant, Person
from countersign_approval.handlers.running import PRODUCER

__all__ = ["absence_cleared", "absence_set", "user_added", "user_changed", "user_removed"]


def _ref(person: Participant) -> UserRef:
    return UserRef(user_id=person.user_id, email=person.email, name=person.name)


def _roles(person: Person) -> list[str]:
    return sorted(str(role) for role in person.roles)


async def _announce(conn: asyncpg.Connection, organisation_id: UUID, event: EventPayload) -> None:
    envelope = new_envelope(
        event, producer=PRODUCER, organisation_id=organisation_id, correlation_id=uuid.uuid4()
    )
    await enqueue(conn, PEOPLE, envelope)


async def user_added(
    conn: asyncpg.Connection, organisation_id: UUID, person: Person, by: Person | None
) -> None:
    """``by``: the admin who invited them; None for the first admin, whom the operator added."""
    org = await Organisations(conn).get(organisation_id)
    event = UserAdded(
        organisation_id=organisation_id,
        user=_ref(person),
        roles=_roles(person),
        added_at=datetime.now(UTC),
        organisation_name=None if org is None else org.name,
        added_by=None if by is None else _ref(by),
    )
    await _announce(conn, organisation_id, event)


async def user_changed(conn: asyncpg.Connection, organisation_id: UUID, person: Person) -> None:
    event = UserChanged(
        organisation_id=organisation_id,
        user=_ref(person),
        roles=_roles(person),
        changed_at=datetime.now(UTC),
    )
    await _announce(conn, organisation_id, event)


async def user_removed(conn: asyncpg.Connection, organisation_id: UUID, person: Person) -> None:
    event = UserRemoved(
        organisation_id=organisation_id, user=_ref(person), removed_at=datetime.now(UTC)
    )
    await _announce(conn, organisation_id, event)


async def absence_set(
    conn: asyncpg.Connection, organisation_id: UUID, away: Person, absence: Absence, by: UUID
) -> None:
    event = AbsenceSet(
        organisation_id=organisation_id,
        user=_ref(away),
        substitute=_ref(absence.substitute),
        starts_at=absence.starts_at,
        ends_at=absence.ends_at,
        set_by=by,
        set_at=datetime.now(UTC),
    )
    await _announce(conn, organisation_id, event)


async def absence_cleared(
    conn: asyncpg.Connection, organisation_id: UUID, back: Person, by: UUID
) -> None:
    event = AbsenceCleared(
        organisation_id=organisation_id,
        user=_ref(back),
        cleared_by=by,
        cleared_at=datetime.now(UTC),
    )
    await _announce(conn, organisation_id, event)
