"""Organisations, their users and API tokens, and their workflow versions."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_contracts import TOLERANT

from countersign_approval.domain.people import Person, Role
from countersign_approval.domain.workflow import Workflow

__all__ = ["Organisation", "Organisations", "People", "SavedWorkflow", "Workflows"]


@dataclass(frozen=True)
class Organisation:
    organisation_id: UUID
    name: str
    base_currency: str
    timezone: str
    status: str


@dataclass(frozen=True)
class SavedWorkflow:
    organisation_id: UUID
    workflow_id: UUID
    version: int
    document: Workflow
    saved_by: UUID
    saved_at: datetime


class Organisations:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, org: Organisation) -> bool:
        """False when the id is taken."""
        status = await self._conn.execute(
            "INSERT INTO organisations (organisation_id, name, base_currency, timezone, status)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            org.organisation_id,
            org.name,
            org.base_currency,
            org.timezone,
            org.status,
        )
        return bool(status.endswith(" 1"))

    async def get(self, organisation_id: UUID, *, lock: bool = False) -> Organisation | None:
        row = await self._conn.fetchrow(
            "SELECT organisation_id, name, base_currency, timezone, status FROM organisations"
            " WHERE organisation_id = $1" + (" FOR UPDATE" if lock else ""),
            organisation_id,
        )
        return None if row is None else Organisation(**dict(row))

    async def update(self, org: Organisation) -> None:
        await self._conn.execute(
            "UPDATE organisations SET name = $2, base_currency = $3, timezone = $4, status = $5,"
            " updated_at = now() WHERE organisation_id = $1",
            org.organisation_id,
            org.name,
            org.base_currency,
            org.timezone,
            org.status,
        )


def _person(row: asyncpg.Record) -> Person:
    return Person(
        user_id=row["user_id"],
        email=row["email"],
        name=row["name"],
        roles=frozenset(Role(r) for r in row["roles"]),
    )


# Current users only: a removed user is nobody's approver, and their tokens are revoked.
_PERSON = "SELECT u.user_id, u.email, u.name, u.roles, u.organisation_id FROM users u"
_CURRENT = " AND u.removed_at IS NULL"


class People:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, organisation_id: UUID, person: Person) -> bool:
        """False when the organisation already has a user with that email."""
        status = await self._conn.execute(
            "INSERT INTO users (user_id, organisation_id, email, name, roles)"
            " VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (organisation_id, email) WHERE removed_at IS NULL DO NOTHING",
            person.user_id,
            organisation_id,
            person.email,
            person.name,
            sorted(person.roles),
        )
        return bool(status.endswith(" 1"))

    async def add_token(self, user_id: UUID, token_sha256: str) -> None:
        await self._conn.execute(
            "INSERT INTO api_tokens (token_sha256, user_id) VALUES ($1, $2)",
            token_sha256,
            user_id,
        )

    async def by_token(self, token_sha256: str) -> tuple[UUID, Person] | None:
        """The organisation and user a live token belongs to."""
        row = await self._conn.fetchrow(
            _PERSON + " JOIN api_tokens t ON t.user_id = u.user_id"
            " WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL" + _CURRENT,
            token_sha256,
        )
        return None if row is None else (row["organisation_id"], _person(row))

    async def directory(self, organisation_id: UUID) -> dict[str, Person]:
        rows = await self._conn.fetch(
            _PERSON + " WHERE u.organisation_id = $1" + _CURRENT + " ORDER BY u.email",
            organisation_id,
        )
        return {row["email"]: _person(row) for row in rows}

    async def by_email(self, organisation_id: UUID, email: str) -> Person | None:
        row = await self._conn.fetchrow(
            _PERSON + " WHERE u.organisation_id = $1 AND u.email = $2" + _CURRENT,
            organisation_id,
            email.strip().lower(),
        )
        return None if row is None else _person(row)

    async def by_id(self, organisation_id: UUID, user_id: UUID, *, lock: bool) -> Person | None:
        row = await self._conn.fetchrow(
            _PERSON
            + " WHERE u.organisation_id = $1 AND u.user_id = $2"
            + _CURRENT
            + (" FOR UPDATE" if lock else ""),
            organisation_id,
            user_id,
        )
        return None if row is None else _person(row)

    async def update(self, person: Person) -> None:
        await self._conn.execute(
            "UPDATE users SET name = $2, roles = $3 WHERE user_id = $1",
            person.user_id,
            person.name,
            sorted(person.roles),
        )

    async def revoke_tokens(self, user_id: UUID) -> int:
        """Revokes every live token of the user; returns how many there were."""
        status = await self._conn.execute(
            "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
            user_id,
        )
        return int(status.split()[-1])

    async def remove(self, user_id: UUID, removed_by: UUID) -> None:
        await self.revoke_tokens(user_id)
        await self._conn.execute("DELETE FROM absences WHERE user_id = $1", user_id)
        await self._conn.execute(
            "UPDATE users SET removed_at = now(), removed_by = $2 WHERE user_id = $1",
            user_id,
            removed_by,
        )


@dataclass(frozen=True)
class Absence:
    user_id: UUID
    substitute: Person
    starts_at: datetime
    ends_at: datetime


_ABSENCE = (
    "SELECT a.user_id AS absent_id, a.starts_at, a.ends_at,"
    " u.user_id, u.email, u.name, u.roles, u.organisation_id"
    " FROM absences a JOIN users u ON u.user_id = a.substitute_id"
)


def _absence(row: asyncpg.Record) -> Absence:
    return Absence(row["absent_id"], _person(row), row["starts_at"], row["ends_at"])


class Absences:
    """Who is away, until when, and who decides in their place meanwhile."""

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
        return [_person(row) for row in rows]


# First half of the two-int advisory lock key; the second is a hash of the organisation id.
_WORKFLOW_LOCK_CLASS = zlib.crc32(b"approval-workflow") & 0x7FFFFFFF


class Workflows:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock(self, organisation_id: UUID, *, exclusive: bool) -> None:
        """Until the transaction ends: saving a workflow (exclusive) and opening a request
        (shared) exclude each other, so a request opened while the first workflow is being
        saved either sees it or is seen by it, and never waits forever."""
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        await self._conn.execute(
            f"SELECT {function}($1, hashtext($2))", _WORKFLOW_LOCK_CLASS, str(organisation_id)
        )

    async def add(
        self, organisation_id: UUID, workflow_id: UUID, document: Workflow, saved_by: UUID
    ) -> SavedWorkflow:
        """Saves the next version (callers hold the organisation's row lock)."""
        row = await self._conn.fetchrow(
            "INSERT INTO workflows (organisation_id, version, workflow_id, name, document,"
            " saved_by) SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4::jsonb, $5"
            " FROM workflows WHERE organisation_id = $1"
            " RETURNING organisation_id, workflow_id, version, document, saved_by, saved_at",
            organisation_id,
            workflow_id,
            document.name,
            document.model_dump_json(),
            saved_by,
        )
        return _saved(row)

    async def get(self, organisation_id: UUID, version: int | None = None) -> SavedWorkflow | None:
        """One version; the newest when ``version`` is None."""
        row = await self._conn.fetchrow(
            "SELECT organisation_id, workflow_id, version, document, saved_by, saved_at"
            " FROM workflows WHERE organisation_id = $1 AND ($2::int IS NULL OR version = $2)"
            " ORDER BY version DESC LIMIT 1",
            organisation_id,
            version,
        )
        return None if row is None else _saved(row)

    async def all(self, organisation_id: UUID) -> list[SavedWorkflow]:
        rows = await self._conn.fetch(
            "SELECT organisation_id, workflow_id, version, document, saved_by, saved_at"
            " FROM workflows WHERE organisation_id = $1 ORDER BY version",
            organisation_id,
        )
        return [_saved(row) for row in rows]


def _saved(row: asyncpg.Record) -> SavedWorkflow:
    return SavedWorkflow(
        organisation_id=row["organisation_id"],
        workflow_id=row["workflow_id"],
        version=row["version"],
        # Read tolerantly: a workflow saved before a rule tightened (the text rules) still opens.
        document=Workflow.model_validate(json.loads(row["document"]), context=TOLERANT),
        saved_by=row["saved_by"],
        saved_at=row["saved_at"],
    )
