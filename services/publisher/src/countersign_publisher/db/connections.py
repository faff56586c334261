"""SQL of Xero connections: the tenant and its sealed token set per organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

__all__ = ["ConnectionRow", "Connections"]


@dataclass(frozen=True)
class ConnectionRow:
    """An organisation's Xero connection: the tenant, its tokens (sealed) and their state."""

    organisation_id: UUID
    tenant_id: str
    tenant_name: str | None
    access_token: str  # sealed
    refresh_token: str  # sealed
    expires_at: datetime
    scope: str | None
    status: str
    last_error: str | None
    connected_at: datetime
    refreshed_at: datetime | None


_COLUMNS = (
    "organisation_id, tenant_id, tenant_name, access_token, refresh_token, expires_at, scope,"
    " status, last_error, connected_at, refreshed_at"
)


class Connections:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, organisation_id: UUID, *, for_update: bool = False) -> ConnectionRow | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM xero_connections WHERE organisation_id = $1{lock}",
            organisation_id,
        )
        return None if row is None else ConnectionRow(**dict(row))

    async def all(self) -> list[ConnectionRow]:
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM xero_connections WHERE status = 'connected'"
        )
        return [ConnectionRow(**dict(row)) for row in rows]

    async def connect(
        self,
        organisation_id: UUID,
        tenant_id: str,
        tenant_name: str | None,
        access_token: str,
        refresh_token: str,
        expires_at: datetime,
        scope: str | None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO xero_connections (organisation_id, tenant_id, tenant_name, access_token,"
            " refresh_token, expires_at, scope) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (organisation_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id,"
            " tenant_name = EXCLUDED.tenant_name, access_token = EXCLUDED.access_token,"
            " refresh_token = EXCLUDED.refresh_token, expires_at = EXCLUDED.expires_at,"
            " scope = EXCLUDED.scope, status = 'connected', last_error = NULL,"
            " connected_at = now(), refreshed_at = NULL",
            organisation_id,
            tenant_id,
            tenant_name,
            access_token,
            refresh_token,
            expires_at,
            scope,
        )

    async def rotate(
        self, organisation_id: UUID, access_token: str, refresh_token: str, expires_at: datetime
    ) -> None:
        await self._conn.execute(
            "UPDATE xero_connections SET access_token = $2, refresh_token = $3, expires_at = $4,"
            " refreshed_at = now(), last_error = NULL WHERE organisation_id = $1",
            organisation_id,
            access_token,
            refresh_token,
            expires_at,
        )

    async def mark_broken(self, organisation_id: UUID, error: str) -> None:
        await self._conn.execute(
            "UPDATE xero_connections SET status = 'reconnect_required', last_error = $2"
            " WHERE organisation_id = $1",
            organisation_id,
            error,
        )
