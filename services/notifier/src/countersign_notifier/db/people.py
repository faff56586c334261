"""SQL of the organisation's people the notifier knows (migration 0002)."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_contracts import UserRef

from countersign_notifier.domain.people_mail import Admin

__all__ = ["People"]


class People:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def remember(self, organisation_id: UUID, user: UserRef, roles: list[str]) -> None:
        await self._conn.execute(
            "INSERT INTO people (user_id, organisation_id, email, name, roles)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET"
            " email = EXCLUDED.email, name = EXCLUDED.name, roles = EXCLUDED.roles,"
            " updated_at = now()",
            user.user_id, organisation_id, user.email.strip().lower(), user.name, roles,
        )  # fmt: skip

    async def forget(self, user_id: UUID) -> None:
        await self._conn.execute("DELETE FROM people WHERE user_id = $1", user_id)

    async def admins(self, organisation_id: UUID) -> list[Admin]:
        rows = await self._conn.fetch(
            "SELECT user_id, email, name FROM people WHERE organisation_id = $1"
            " AND 'admin' = ANY(roles) ORDER BY email",
            organisation_id,
        )
        return [Admin(**dict(row)) for row in rows]
