"""An organisation's users and their API tokens (only each token's SHA-256 is stored)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from countersign_approval.domain.people import Person, Role

__all__ = ["People", "person_of"]


def person_of(row: asyncpg.Record) -> Person:
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
        return None if row is None else (row["organisation_id"], person_of(row))

    async def directory(self, organisation_id: UUID) -> dict[str, Person]:
        rows = await self._conn.fetch(
            _PERSON + " WHERE u.organisation_id = $1" + _CURRENT + " ORDER BY u.email",
            organisation_id,
        )
        return {row["email"]: person_of(row) for row in rows}

    async def by_email(self, organisation_id: UUID, email: str) -> Person | None:
        row = await self._conn.fetchrow(
            _PERSON + " WHERE u.organisation_id = $1 AND u.email = $2" + _CURRENT,
            organisation_id,
            email.strip().lower(),
        )
        return None if row is None else person_of(row)

    async def by_id(self, organisation_id: UUID, user_id: UUID, *, lock: bool) -> Person | None:
        row = await self._conn.fetchrow(
            _PERSON
            + " WHERE u.organisation_id = $1 AND u.user_id = $2"
            + _CURRENT
            + (" FOR UPDATE" if lock else ""),
            organisation_id,
            user_id,
        )
        return None if row is None else person_of(row)

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

    async def everywhere(self, email: str) -> list[tuple[UUID, str, Person]]:
        """Each organisation where ``email`` is a current user's: its id, its name, the user."""
        rows = await self._conn.fetch(
            _PERSON.replace("FROM users u", ", o.name AS organisation_name FROM users u")
            + " JOIN organisations o ON o.organisation_id = u.organisation_id"
            " WHERE u.email = $1" + _CURRENT + " ORDER BY o.name, o.organisation_id",
            email.strip().lower(),
        )
        return [(r["organisation_id"], r["organisation_name"], person_of(r)) for r in rows]

    async def remove(self, user_id: UUID, removed_by: UUID) -> None:
        await self.revoke_tokens(user_id)
        await self._conn.execute(
            "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
            user_id,
        )
        await self._conn.execute("DELETE FROM absences WHERE user_id = $1", user_id)
        await self._conn.execute(
            "UPDATE users SET removed_at = now(), removed_by = $2 WHERE user_id = $1",
            user_id,
            removed_by,
        )
