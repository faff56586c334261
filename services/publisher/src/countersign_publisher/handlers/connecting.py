"""An organisation's admin connects it to Xero: OAuth2 authorization code with PKCE
(``domain/authorisation.py`` draws the flow).

The state is spent the moment Xero sends the browser back, in its own transaction, before the
code is redeemed: a replayed callback finds it spent whatever happens next. Binding a tenant is
one transaction with its event; a tenant serving another organisation is refused there by the
database's unique index, so two admins racing for one tenant cannot both win.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from countersign_publisher.adapters.tokens import XeroTokens
from countersign_publisher.adapters.xero_errors import XeroError
from countersign_publisher.adapters.xero_identity import TokenSet
from countersign_publisher.db.authorisations import Authorisations
from countersign_publisher.db.connections import Connections, TenantTaken
from countersign_publisher.db.master_data import MasterData
from countersign_publisher.domain.authorisation import (
    Authorisation,
    Ending,
    Failure,
    authorize_url,
    pkce_challenge,
    state_hash,
    why_not_usable,
)
from countersign_publisher.domain.connection import Tenant
from countersign_publisher.handlers.events import emit_connection

__all__ = ["ConnectConfig", "Connecting", "Outcome", "Started"]


@dataclass(frozen=True)
class ConnectConfig:
    authorize_url: str
    client_id: str
    redirect_uri: str
    scope: str
    ttl_s: float


@dataclass(frozen=True)
class Started:
    authorize_url: str
    expires_at: datetime


@dataclass(frozen=True)
class Outcome:
    """How a callback (or a tenant choice) ended, for the page the browser is shown."""

    organisation_id: UUID | None
    ending: Ending | None = None
    failure: Failure | None = None
    tenant: Tenant | None = None
    tenants: tuple[Tenant, ...] = field(default=())


def _verifier_context(hashed: str) -> str:
    return f"publisher:xero-pkce:{hashed}"


def _pending_context(hashed: str) -> str:
    return f"publisher:xero-pending:{hashed}"


def auth_event_of(access_token: str) -> str | None:
    """The consent this token came from: Xero's access tokens are JWTs whose
    ``authentication_event_id`` claim ``/connections?authEventId=`` filters on. Read, not
    verified: the token came straight from Xero's token endpoint."""
    parts = access_token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    event = claims.get("authentication_event_id") if isinstance(claims, dict) else None
    return str(event) if event else None


class Connecting:
    def __init__(self, pool: asyncpg.Pool, tokens: XeroTokens, config: ConnectConfig) -> None:
        self._pool = pool
        self._tokens = tokens
        self._config = config

    async def start(self, organisation_id: UUID, by: UUID) -> Started:
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters of RFC 7636's unreserved set
        hashed = state_hash(state)
        expires = datetime.now(UTC) + timedelta(seconds=self._config.ttl_s)
        sealed = self._tokens.keyring.seal(verifier.encode(), _verifier_context(hashed))
        async with self._pool.acquire() as conn:
            await Authorisations(conn).start(
                hashed, organisation_id, by, sealed, self._config.redirect_uri, expires
            )
        url = authorize_url(
            self._config.authorize_url,
            client_id=self._config.client_id,
            redirect_uri=self._config.redirect_uri,
            scope=self._config.scope,
            state=state,
            challenge=pkce_challenge(verifier),
        )
        return Started(url, expires)

    async def call_back(self, state: str, code: str, error: str) -> Outcome:
        """Xero sent the browser back with a code (or an error) for this state."""
        if not state:
            return Outcome(None, failure=Failure.STATE_MISSING)
        hashed = state_hash(state)
        async with self._pool.acquire() as conn, conn.transaction():
            found = await Authorisations(conn).claim(hashed)
            flow = None if found is None else found[0]
            refused = why_not_usable(flow, datetime.now(UTC), choosing=False)
            if refused is not None or found is None or flow is None:
                return Outcome(flow.organisation_id if flow else None, failure=refused)
            await Authorisations(conn).called_back(hashed)
            if error or not code:
                failure = Failure.CANCELLED if error == "access_denied" else Failure.XERO_ERROR
                await Authorisations(conn).end(hashed, failure.value)
                return Outcome(flow.organisation_id, failure=failure)
        verifier = self._tokens.keyring.open(found[1], _verifier_context(hashed)).decode()
        try:
            return await self._redeem(flow, code, verifier)
        except XeroError:
            await self._end(flow, Failure.XERO_ERROR)
            return Outcome(flow.organisation_id, failure=Failure.XERO_ERROR)

    async def _redeem(self, flow: Authorisation, code: str, verifier: str) -> Outcome:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": flow.redirect_uri,
            "code_verifier": verifier,
        }
        granted = await self._tokens.identity.grant(form)
        if granted is None:
            await self._end(flow, Failure.CODE_REFUSED)
            return Outcome(flow.organisation_id, failure=Failure.CODE_REFUSED)
        event = auth_event_of(granted.access_token)
        tenants = await self._tokens.identity.tenants(granted.access_token, event)
        if not tenants:
            await self._end(flow, Failure.NO_TENANT)
            return Outcome(flow.organisation_id, failure=Failure.NO_TENANT)
        if len(tenants) == 1:
            return await self._bind(flow, tenants[0], granted)
        pending = json.dumps(
            {
                "access_token": granted.access_token,
                "refresh_token": granted.refresh_token,
                "expires_at": granted.expires_at.isoformat(),
                "scope": granted.scope,
            }
        )
        sealed = self._tokens.keyring.seal(pending.encode(), _pending_context(flow.state_hash))
        async with self._pool.acquire() as conn:
            await Authorisations(conn).await_choice(flow.state_hash, sealed, tenants)
        return Outcome(flow.organisation_id, ending=Ending.CHOOSE, tenants=tuple(tenants))

    async def choose(self, state: str, tenant_id: str) -> Outcome:
        """The admin picked one of the tenants their consent reached."""
        hashed = state_hash(state)
        async with self._pool.acquire() as conn:
            found = await Authorisations(conn).claim(hashed)
        flow = None if found is None else found[0]
        refused = why_not_usable(flow, datetime.now(UTC), choosing=True)
        if refused is not None or found is None or flow is None or found[2] is None:
            return Outcome(
                flow.organisation_id if flow else None, failure=refused or Failure.STATE_SPENT
            )
        chosen = [t for t in flow.tenants if t.tenant_id == tenant_id]
        if not chosen:
            return Outcome(flow.organisation_id, failure=Failure.NOT_OFFERED, tenants=flow.tenants)
        pending = json.loads(self._tokens.keyring.open(found[2], _pending_context(hashed)))
        granted = TokenSet(
            access_token=pending["access_token"],
            refresh_token=pending["refresh_token"],
            expires_at=datetime.fromisoformat(pending["expires_at"]),
            scope=pending["scope"],
        )
        return await self._bind(flow, chosen[0], granted)

    async def _bind(self, flow: Authorisation, tenant: Tenant, granted: TokenSet) -> Outcome:
        async with self._pool.acquire() as conn, conn.transaction():
            # The flow row, locked: a second choice for the same flow waits, then finds it ended.
            found = await Authorisations(conn).claim(flow.state_hash)
            if found is None or found[0].ended:
                return Outcome(flow.organisation_id, failure=Failure.STATE_SPENT)
            try:
                async with conn.transaction():  # a savepoint: the refusal must not abort the rest
                    await self._tokens.store(
                        conn, tenant, granted, flow.organisation_id, flow.started_by
                    )
            except TenantTaken:
                await Authorisations(conn).end(flow.state_hash, Failure.TENANT_TAKEN.value)
                return Outcome(flow.organisation_id, failure=Failure.TENANT_TAKEN, tenant=tenant)
            row = await Connections(conn).get(flow.organisation_id)
            assert row is not None
            await emit_connection(conn, row)
            await MasterData(conn).mark_due(flow.organisation_id)  # read by the worker's pass
            await Authorisations(conn).end(flow.state_hash, Ending.CONNECTED.value)
        return Outcome(flow.organisation_id, ending=Ending.CONNECTED, tenant=tenant)

    async def _end(self, flow: Authorisation, failure: Failure) -> None:
        async with self._pool.acquire() as conn:
            await Authorisations(conn).end(flow.state_hash, failure.value)
