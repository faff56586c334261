"""Who is away, until when, and who decides in their place meanwhile."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from countersign_approval.db.people import person_of
from countersign_approval.domain.absences import Absence
from countersign_approval.domain.people import Person

__all__ = ["Absences"]

_ABSENCE = (
    "SELECT a.user_id AS absent_id, a.starts_at, a.ends_at,"
    " u.user_id, u.email, u.name, u.roles, u.organisation_id"
    " FROM absences a JOIN users u ON u.user_id = a.substitute_id"
)


def _absence(row: asyncpg.Record) -> Absence:
    return Absence(row["absent_id"], person_of(row), row["starts_at"], row["ends_at"])


class Absences:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def set(self, organisation_id: UUID, absence: Absence, set_by: UUID) -> None:
        await self._conn.execute(
            "INSERT INTO absences"
            " (user_id, organisation_id, substitute_id, starts_at, ends_at, set_by)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET"
            " substitute_id = $3, starts_at = $4, ends_at = $5, set_by = $6, set_at = now()",
            absence.user_id,
            organisation_id,
            absence.substitute.user_id,
            absence.starts_at,
            absence.ends_at,
            set_by,
        )

    async def clear(self, user_id: UUID) -> bool:
        status = await self._conn.execute("DELETE FROM absences WHERE user_id = $1", user_id)
        return bool(status == "DELETE 1")

    async def of_user(self, organisation_id: UUID, user_id: UUID) -> Absence | None:
        """The user's absence, when it is not over yet."""
        row = await self._conn.fetchrow(
            _ABSENCE + " WHERE a.organisation_id = $1 AND a.user_id = $2 AND a.ends_at > now()",
            organisation_id,
            user_id,
        )
        return None if row is None else _absence(row)

    async def of_organisation(self, organisation_id: UUID) -> dict[UUID, Absence]:
        """Every absence not yet over, by the absent user's id."""
        rows = await self._conn.fetch(
            _ABSENCE + " WHERE a.organisation_id = $1 AND a.ends_at > now()", organisation_id
        )
        return {row["absent_id"]: _absence(row) for row in rows}

    async def stood_in_by(self, substitute_id: UUID) -> list[UUID]:
        """The users whose absence not yet over has ``substitute_id`` stand in for them."""
        rows = await self._conn.fetch(
            "SELECT user_id FROM absences WHERE substitute_id = $1 AND ends_at > now()"
            " ORDER BY user_id",
            substitute_id,
        )
        return [row["user_id"] for row in rows]

    async def standing_in_now(self, organisation_id: UUID, substitute_id: UUID) -> list[Person]:
        """The current users who are away now with ``substitute_id`` deciding in their place."""
        rows = await self._conn.fetch(
            "SELECT u.user_id, u.email, u.name, u.roles, u.organisation_id"
            " FROM absences a JOIN users u ON u.user_id = a.user_id"
            " WHERE a.organisation_id = $1 AND a.substitute_id = $2"
            " AND a.starts_at <= now() AND a.ends_at > now() AND u.removed_at IS NULL"
            " ORDER BY u.email",
            organisation_id,
            substitute_id,
        )
        return [person_of(row) for row in rows]
