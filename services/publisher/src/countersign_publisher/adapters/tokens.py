"""Xero access tokens per organisation: refreshed ahead of expiry, one refresh at a time.

    credentials(org) ─▶ in-memory token still good? ─▶ use it
                     └▶ per-org asyncio lock ─▶ BEGIN; SELECT … FOR UPDATE (other processes
                        wait here) ─▶ stored token still good (someone just refreshed)? use it
                        └▶ POST /connect/token (refresh_token grant) ─▶ store the rotated pair,
                           sealed ─▶ COMMIT

Xero's refresh tokens are single-use: refreshing one token set from two places makes the loser
get ``invalid_grant`` and can leave the connection unusable, hence both locks. The new pair is
written in the same transaction that held the lock, so it is never lost between processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
from countersign_platform.outbound import OutboundHttp
from countersign_platform.sealing import Keyring

from countersign_publisher.adapters.xero_client import Credentials
from countersign_publisher.adapters.xero_errors import XeroAuthError
from countersign_publisher.adapters.xero_identity import XERO_API_URL, TokenSet, XeroIdentity
from countersign_publisher.db.connections import ConnectionRow, Connections, NewConnection
from countersign_publisher.domain.connection import Tenant

__all__ = ["Broken", "XeroTokens"]

Broken = Callable[[asyncpg.Connection, ConnectionRow], Awaitable[None]]
"""Called in the transaction that marks a connection as needing a reconnect (its event)."""


async def _nothing(conn: asyncpg.Connection, row: ConnectionRow) -> None:
    pass


@dataclass(frozen=True)
class _Cached:
    credentials: Credentials
    expires_at: datetime


def _context(organisation_id: UUID, which: str) -> str:
    return f"publisher:xero-{which}:{organisation_id}"


class XeroTokens:
    def __init__(
        self,
        pool: asyncpg.Pool,
        http: OutboundHttp,
        *,
        identity_url: str,
        client_id: str,
        client_secret: str,
        keyring: Keyring,
        refresh_ahead_s: float = 120.0,
        api_url: str = XERO_API_URL,
        on_broken: Broken = _nothing,
    ) -> None:
        self.pool = pool
        self._on_broken = on_broken
        # Grants codes and refreshes here; lists a new connection's tenants for the API.
        self.identity = XeroIdentity(
            http,
            identity_url=identity_url,
            api_url=api_url,
            client_id=client_id,
            client_secret=client_secret,
        )
        self.keyring = keyring
        self._ahead = timedelta(seconds=refresh_ahead_s)
        self._locks: dict[UUID, asyncio.Lock] = {}
        self._cache: dict[UUID, _Cached] = {}
        self.refreshes = 0

    def _fresh(self, expires_at: datetime) -> bool:
        return expires_at - self._ahead > datetime.now(UTC)

    async def credentials(self, organisation_id: UUID, *, refresh: bool = False) -> Credentials:
        cached = self._cache.get(organisation_id)
        if cached is not None and not refresh and self._fresh(cached.expires_at):
            return cached.credentials
        refused = cached.credentials.access_token if (cached and refresh) else None
        lock = self._locks.setdefault(organisation_id, asyncio.Lock())
        async with lock:
            cached = self._cache.get(organisation_id)
            fresh = cached is not None and self._fresh(cached.expires_at)
            if cached is not None and fresh and cached.credentials.access_token != refused:
                return cached.credentials
            async with self.pool.acquire() as conn, conn.transaction():
                found = await Connections(conn).get(organisation_id, for_update=True)
                if found is None or found.status != "connected":
                    raise XeroAuthError(f"organisation {organisation_id} is not connected to Xero")
                access = self._open(found, "access")
                assert found.expires_at is not None
                if self._fresh(found.expires_at) and access != refused:
                    return self._remember(found, access, found.expires_at)
                tokens = await self._refresh(found)
                if tokens is not None:
                    await Connections(conn).rotate(
                        organisation_id,
                        self._seal(organisation_id, "access", tokens.access_token),
                        self._seal(organisation_id, "refresh", tokens.refresh_token),
                        tokens.expires_at,
                    )
                else:
                    # Refused: the organisation must connect again. Recorded in this transaction,
                    # which holds the row (another would wait on it for good), and committed.
                    broken = await Connections(conn).mark_broken(organisation_id, "invalid_grant")
                    if broken is not None:
                        await self._on_broken(conn, broken)
            if tokens is None:
                raise XeroAuthError("Xero refused the refresh token (invalid_grant): reconnect")
            return self._remember(found, tokens.access_token, tokens.expires_at)

    def _remember(self, row: ConnectionRow, access: str, expires_at: datetime) -> Credentials:
        creds = Credentials(access_token=access, tenant_id=row.tenant_id)
        self._cache[row.organisation_id] = _Cached(creds, expires_at)
        return creds

    def _open(self, row: ConnectionRow, which: str) -> str:
        sealed = row.access_token if which == "access" else row.refresh_token
        assert sealed is not None, "only a connected row has tokens"
        return self.keyring.open(sealed, _context(row.organisation_id, which)).decode()

    def _seal(self, organisation_id: UUID, which: str, value: str) -> str:
        return self.keyring.seal(value.encode(), _context(organisation_id, which))

    async def _refresh(self, row: ConnectionRow) -> TokenSet | None:
        """The rotated token set; None when Xero refuses the refresh token."""
        tokens = await self.identity.grant(
            {"grant_type": "refresh_token", "refresh_token": self._open(row, "refresh")}
        )
        if tokens is not None:
            self.refreshes += 1
        return tokens

    async def store(
        self,
        conn: asyncpg.Connection,
        tenant: Tenant,
        tokens: TokenSet,
        organisation_id: UUID,
        by: UUID | None,
    ) -> None:
        """Connects (or reconnects) the organisation with a token set, sealed, in the caller's
        transaction. Raises ``TenantTaken`` when the tenant serves another organisation."""
        await Connections(conn).connect(
            NewConnection(
                organisation_id=organisation_id,
                tenant_id=tenant.tenant_id,
                tenant_name=tenant.tenant_name,
                access_token=self._seal(organisation_id, "access", tokens.access_token),
                refresh_token=self._seal(organisation_id, "refresh", tokens.refresh_token),
                expires_at=tokens.expires_at,
                scope=tokens.scope,
                xero_connection_id=tenant.connection_id,
                changed_by=by,
            )
        )
        self.forget(organisation_id)

    def forget(self, organisation_id: UUID) -> None:
        """Drops the token held in memory (connected again, or disconnected)."""
        self._cache.pop(organisation_id, None)

    async def current(self, conn: asyncpg.Connection, organisation_id: UUID) -> TokenSet | None:
        """The organisation's stored token set, opened (to disconnect it), or None."""
        row = await Connections(conn).get(organisation_id, for_update=True)
        if row is None or row.access_token is None or row.expires_at is None:
            return None
        return TokenSet(self._open(row, "access"), self._open(row, "refresh"), row.expires_at)
