"""Ledger access tokens per organisation: refreshed ahead of expiry, one refresh at a time,
at the token endpoint of the ledger the connection row names (``ledger``: Xero's identity
service, or Intuit's for QuickBooks Online).

    credentials(org) ─▶ in-memory token still good? ─▶ use it
                     └▶ per-org asyncio lock ─▶ BEGIN; SELECT … FOR UPDATE (other processes
                        wait here) ─▶ stored token still good (someone just refreshed)? use it
                        └▶ the row's ledger's token endpoint (refresh_token grant) ─▶ store
                           what came back (a rotated pair), sealed ─▶ COMMIT

Refresh tokens rotate at both ledgers (Xero's are single-use; Intuit's change after a day and
the superseded one is refused): refreshing one token set from two places makes the loser get
``invalid_grant`` and can leave the connection unusable, hence both locks. The new pair is
written in the same transaction that held the lock, so it is never lost between processes.
``Credentials.tenant_id`` is Xero's tenant or QBO's realmId.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

import asyncpg
from countersign_platform.sealing import Keyring

from countersign_publisher.adapters.oauth_grants import TokenSet
from countersign_publisher.adapters.xero_client import Credentials
from countersign_publisher.adapters.xero_identity import XeroIdentity
from countersign_publisher.db.connections import ConnectionRow, Connections, NewConnection
from countersign_publisher.domain.connection import Tenant
from countersign_publisher.ledger.errors import LedgerAuthLost

__all__ = ["Broken", "Grants", "LedgerTokens", "XeroTokens"]

DEFAULT_LEDGER = "xero"


class Grants(Protocol):
    """A ledger's token endpoint, as the store refreshes with it (``XeroIdentity``,
    ``IntuitIdentity``)."""

    @property
    def title(self) -> str:
        """The ledger's name as people read it."""
        ...

    @property
    def auth_lost(self) -> type[LedgerAuthLost]:
        """What a refused refresh raises to the connection's users."""
        ...

    async def grant(self, form: dict[str, str]) -> TokenSet | None: ...


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


class LedgerTokens:
    def __init__(
        self,
        pool: asyncpg.Pool,
        keyring: Keyring,
        grants: Mapping[str, Grants],
        *,
        refresh_ahead_s: float = 120.0,
        on_broken: Broken = _nothing,
    ) -> None:
        self.pool = pool
        self._on_broken = on_broken
        self.grants = dict(grants)  # by ledger name; Xero's is always there
        self.keyring = keyring
        self._ahead = timedelta(seconds=refresh_ahead_s)
        self._locks: dict[UUID, asyncio.Lock] = {}
        self._cache: dict[UUID, _Cached] = {}
        self.refreshes = 0

    @property
    def identity(self) -> XeroIdentity:
        """Xero's identity: grants codes, lists a new connection's tenants, disconnects."""
        xero = self.grants[DEFAULT_LEDGER]
        assert isinstance(xero, XeroIdentity)
        return xero

    def grants_for(self, ledger: str) -> Grants:
        found = self.grants.get(ledger)
        if found is None:
            raise LedgerAuthLost(f"{ledger} cannot be connected here: it is not configured")
        return found

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
                    ledger = DEFAULT_LEDGER if found is None else found.ledger
                    raise self.grants_for(ledger).auth_lost(
                        f"organisation {organisation_id} is not connected to"
                        f" {self.grants_for(ledger).title}"
                    )
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
                grants = self.grants_for(found.ledger)
                raise grants.auth_lost(
                    f"{grants.title} refused the refresh token (invalid_grant): reconnect"
                )
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
        """The token set the row's ledger answers (its refresh token possibly rotated); None
        when the ledger refuses the refresh token."""
        tokens = await self.grants_for(row.ledger).grant(
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
        ledger: str = DEFAULT_LEDGER,
    ) -> None:
        """Connects (or reconnects) the organisation with a token set, sealed, in the caller's
        transaction. Raises ``TenantTaken`` when the tenant serves another organisation,
        ``OtherLedgerConnected`` when the organisation is connected to another ledger."""
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
                ledger=ledger,
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


XeroTokens = LedgerTokens
"""The store's name from before QuickBooks Online (Xero-only code still imports it)."""
