"""Out of office: a user (or an admin for them) says who decides in their place while they
are away, or that they are back early."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

import asyncpg

from countersign_approval.db.absences import Absences
from countersign_approval.db.people import People
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.absences import Absence, absence, check_may_set
from countersign_approval.domain.people import Person
from countersign_approval.domain.refusals import NoAbsence, UserNotFound
from countersign_approval.handlers import people_events
from countersign_approval.handlers.people import locked_user

__all__ = ["AbsenceAsked", "OutOfOffice", "clear_absence", "out_of_office", "set_absence"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutOfOffice:
    """A user's absence not over yet, and those away now with the user as their substitute."""

    absence: Absence | None
    standing_in_for: list[Person]


class AbsenceAsked(Protocol):
    substitute_email: str  # decides in the user's place while they are away
    starts_at: datetime
    ends_at: datetime


async def set_absence(
    pool: asyncpg.Pool,
    organisation_id: UUID,
    user_id: UUID,
    caller: Person,
    asked: AbsenceAsked,
) -> Absence:
    """Records that the user is away as ``asked``, replacing an earlier absence; refused
    naming the field and rule."""
    check_may_set(caller, user_id)
    async with pool.acquire() as conn, conn.transaction():
        # As removals and role changes: the substitute cannot lose the role meanwhile.
        await Workflows(conn).lock(organisation_id, exclusive=True)
        away_person = await locked_user(conn, organisation_id, user_id)
        email = asked.substitute_email
        substitute = await People(conn).by_email(organisation_id, email)
        now = datetime.now(UTC)
        away = absence(user_id, email, substitute, asked.starts_at, asked.ends_at, now)
        await Absences(conn).set(organisation_id, away, caller.user_id)
        await people_events.absence_set(conn, organisation_id, away_person, away, caller.user_id)
    log.info("user %s away until %s, set by %s", user_id, away.ends_at, caller.user_id)
    return away


async def clear_absence(
    pool: asyncpg.Pool, organisation_id: UUID, user_id: UUID, caller: Person
) -> None:
    """Ends the user's absence now; refused when they have none (or are no user here)."""
    check_may_set(caller, user_id)
    async with pool.acquire() as conn, conn.transaction():
        # A decision by the substitute holds this lock shared while it reads the absence and
        # is saved: the clear waits for it, and a decision after the clear sees it.
        await Workflows(conn).lock(organisation_id, exclusive=True)
        back = await People(conn).by_id(organisation_id, user_id, lock=False)
        if back is None or not await Absences(conn).clear(user_id):
            raise NoAbsence(f"{user_id} has no absence set")
        await people_events.absence_cleared(conn, organisation_id, back, caller.user_id)


async def out_of_office(
    pool: asyncpg.Pool, organisation_id: UUID, user_id: UUID, caller: Person
) -> OutOfOffice:
    """What the user (or an admin for them) reads of their out-of-office; 404 for no user."""
    check_may_set(caller, user_id)
    async with pool.acquire() as conn:
        if await People(conn).by_id(organisation_id, user_id, lock=False) is None:
            raise UserNotFound(f"{user_id} is not a user of the organisation")
        absences = Absences(conn)
        return OutOfOffice(
            await absences.of_user(organisation_id, user_id),
            await absences.standing_in_now(organisation_id, user_id),
        )
