"""SQL of ledger connections (table ``xero_connections``, named before QuickBooks Online): the
ledger, the tenant (Xero's tenant, QBO's realmId) and its sealed token set per organisation,
and its health (``connected``, ``needs_reconnect``, ``disconnected``:
``LedgerConnectionStatus``). One organisation connects one ledger at a time (ADR 0069)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_platform.organisation_status import NOT_SUSPENDED

__all__ = [
    "ConnectionRow",
    "Connections",
    "NewConnection",
    "OtherLedgerConnected",
    "TenantTaken",
]


@dataclass(frozen=True)
class ConnectionRow:
    """An organisation's ledger connection: the tenant, its tokens (sealed) and their state."""

    organisation_id: UUID
    tenant_id: str
    tenant_name: str | None
    access_token: str | None  # sealed; None once disconnected
    refresh_token: str | None  # sealed; None once disconnected
    expires_at: datetime | None
    scope: str | None
    status: str
    last_error: str | None
    connected_at: datetime
    refreshed_at: datetime | None
    xero_connection_id: str | None
    changed_by: UUID | None
    changed_at: datetime
    ledger: str = "xero"  # the ledger connected (a ``Ledger`` value): xero or qbo


@dataclass(frozen=True)
class NewConnection:
    """What connecting stores: the tenant and its token set, sealed."""

    organisation_id: UUID
    tenant_id: str
    tenant_name: str | None
    access_token: str
    refresh_token: str
    expires_at: datetime
    scope: str | None
    xero_connection_id: str | None = None
    changed_by: UUID | None = None
    ledger: str = "xero"


_COLUMNS = (
    "organisation_id, tenant_id, tenant_name, access_token, refresh_token, expires_at, scope,"
    " status, last_error, connected_at, refreshed_at, xero_connection_id, changed_by, changed_at,"
    " ledger"
)


class TenantTaken(Exception):
    """The tenant already serves another organisation (a unique index says so)."""


class OtherLedgerConnected(Exception):
    """The organisation is connected to another ledger: it disconnects that one first."""

    def __init__(self, ledger: str) -> None:
        super().__init__(ledger)
        self.ledger = ledger


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

    async def ledger_of(self, organisation_id: UUID) -> str | None:
        """The ledger the organisation's connection names, whatever its state; None: none."""
        found: str | None = await self._conn.fetchval(
            "SELECT ledger FROM xero_connections WHERE organisation_id = $1", organisation_id
        )
        return found

    async def all(self) -> list[ConnectionRow]:
        """Every connected organisation the operator has not suspended."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM xero_connections WHERE status = 'connected'"
            f" AND {NOT_SUSPENDED.format(table='xero_connections')}"
        )
        return [ConnectionRow(**dict(row)) for row in rows]

    async def connect(self, connection: NewConnection) -> None:
        """Connects (or reconnects) the organisation. Raises ``TenantTaken``, or
        ``OtherLedgerConnected`` when it is connected (or needs a reconnect) to another ledger."""
        c = connection
        try:
            done = await self._conn.fetchval(
                "INSERT INTO xero_connections (organisation_id, tenant_id, tenant_name,"
                " access_token, refresh_token, expires_at, scope, xero_connection_id, changed_by,"
                " ledger) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                " ON CONFLICT (organisation_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id,"
                " tenant_name = EXCLUDED.tenant_name, access_token = EXCLUDED.access_token,"
                " refresh_token = EXCLUDED.refresh_token, expires_at = EXCLUDED.expires_at,"
                " scope = EXCLUDED.scope, status = 'connected', last_error = NULL,"
                " connected_at = now(), refreshed_at = NULL,"
                # Bypass detection's default start (ADR 0055): kept across reconnects to the
                # same tenant; another tenant's bills are judged from its own connection.
                " first_connected_at = CASE WHEN xero_connections.tenant_id = EXCLUDED.tenant_id"
                " AND xero_connections.ledger = EXCLUDED.ledger"
                " THEN xero_connections.first_connected_at ELSE now() END,"
                " xero_connection_id = EXCLUDED.xero_connection_id,"
                " changed_by = EXCLUDED.changed_by, changed_at = now(), ledger = EXCLUDED.ledger"
                # Switching ledgers only from a disconnected row (ADR 0069).
                " WHERE xero_connections.ledger = EXCLUDED.ledger"
                " OR xero_connections.status = 'disconnected'"
                " RETURNING true",
                c.organisation_id,
                c.tenant_id,
                c.tenant_name,
                c.access_token,
                c.refresh_token,
                c.expires_at,
                c.scope,
                c.xero_connection_id,
                c.changed_by,
                c.ledger,
            )
        except asyncpg.UniqueViolationError as exc:
            raise TenantTaken(c.tenant_id) from exc
        if done is None:
            held = await self._conn.fetchval(
                "SELECT ledger FROM xero_connections WHERE organisation_id = $1", c.organisation_id
            )
            raise OtherLedgerConnected(str(held))

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

    async def mark_broken(self, organisation_id: UUID, error: str) -> ConnectionRow | None:
        """Needs reconnecting; the row as it now is, or None when it already was (or is gone)."""
        row = await self._conn.fetchrow(
            "UPDATE xero_connections SET status = 'needs_reconnect', last_error = $2,"
            " changed_by = NULL, changed_at = now()"
            f" WHERE organisation_id = $1 AND status = 'connected' RETURNING {_COLUMNS}",
            organisation_id,
            error,
        )
        return None if row is None else ConnectionRow(**dict(row))

    async def disconnect(self, organisation_id: UUID, by: UUID | None) -> ConnectionRow | None:
        """Disconnected, its tokens destroyed; None when there was nothing to disconnect."""
        row = await self._conn.fetchrow(
            "UPDATE xero_connections SET status = 'disconnected', access_token = NULL,"
            " refresh_token = NULL, expires_at = NULL, last_error = NULL, changed_by = $2,"
            " changed_at = now()"
            f" WHERE organisation_id = $1 AND status <> 'disconnected' RETURNING {_COLUMNS}",
            organisation_id,
            by,
        )
        return None if row is None else ConnectionRow(**dict(row))
