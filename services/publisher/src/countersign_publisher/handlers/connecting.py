"""An organisation's admin connects it to a ledger: OAuth2 authorization code, with PKCE for
Xero (``domain/authorisation.py`` draws the flows for Xero and QuickBooks Online).

The state is spent the moment the ledger sends the browser back, in its own transaction, before
the code is redeemed: a replayed callback finds it spent whatever happens next. Binding a tenant
(a QBO realm) is one transaction with its event; a tenant serving another organisation is
refused there by the database's unique index, so two admins racing for one tenant cannot both
win; an organisation connected to the other ledger is refused until it disconnects (ADR 0069).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from countersign_publisher.adapters.intuit_identity import IntuitIdentity
from countersign_publisher.adapters.oauth_grants import TokenSet
from countersign_publisher.adapters.tokens import LedgerTokens
from countersign_publisher.db.authorisations import Authorisations
from countersign_publisher.db.connections import Connections, OtherLedgerConnected, TenantTaken
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
from countersign_publisher.ledger.errors import LedgerError

__all__ = ["ConnectConfig", "Connecting", "Outcome", "Started"]


@dataclass(frozen=True)
class ConnectConfig:
    """One ledger's consent: where (awaited: Intuit's comes from its discovery document), as
    which client, back to which of this service's URLs."""

    authorize_url: Callable[[], Awaitable[str]]
    client_id: str
    redirect_uri: str
    scope: str
    ttl_s: float
    pkce: bool = True  # Xero's web-app flow; Intuit documents none


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
    ledger: str = "xero"
    other_ledger: str | None = None  # the ledger connected when that refused this one


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
    def __init__(
        self, pool: asyncpg.Pool, tokens: LedgerTokens, configs: Mapping[str, ConnectConfig]
    ) -> None:
        self._pool = pool
        self._tokens = tokens
        self._configs = dict(configs)  # by ledger: those an admin can connect here

    def connectable(self, ledger: str) -> bool:
        return ledger in self._configs

    async def start(self, organisation_id: UUID, by: UUID, ledger: str = "xero") -> Started:
        config = self._configs[ledger]
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters of RFC 7636's unreserved set
        hashed = state_hash(state)
        expires = datetime.now(UTC) + timedelta(seconds=config.ttl_s)
        sealed = self._tokens.keyring.seal(verifier.encode(), _verifier_context(hashed))
        base = await config.authorize_url()
        async with self._pool.acquire() as conn:
            await Authorisations(conn).start(
                hashed, organisation_id, by, sealed, config.redirect_uri, expires, ledger
            )
        url = authorize_url(
            base,
            client_id=config.client_id,
            redirect_uri=config.redirect_uri,
            scope=config.scope,
            state=state,
            challenge=pkce_challenge(verifier) if config.pkce else None,
        )
        return Started(url, expires)

    async def call_back(self, state: str, code: str, error: str, realm_id: str = "") -> Outcome:
        """The ledger sent the browser back with a code (or an error) for this state; Intuit
        adds the company chosen on its consent page (``realmId``)."""
        if not state:
            return Outcome(None, failure=Failure.STATE_MISSING)
        hashed = state_hash(state)
        async with self._pool.acquire() as conn, conn.transaction():
            found = await Authorisations(conn).claim(hashed)
            flow = None if found is None else found[0]
            refused = why_not_usable(flow, datetime.now(UTC), choosing=False)
            if refused is not None or found is None or flow is None:
                return Outcome(
                    flow.organisation_id if flow else None,
                    failure=refused,
                    ledger=flow.ledger if flow else "xero",
                )
            await Authorisations(conn).called_back(hashed)
            if error or not code:
                failure = Failure.CANCELLED if error == "access_denied" else Failure.XERO_ERROR
                await Authorisations(conn).end(hashed, failure.value)
                return Outcome(flow.organisation_id, failure=failure, ledger=flow.ledger)
        verifier = self._tokens.keyring.open(found[1], _verifier_context(hashed)).decode()
        try:
            if flow.ledger == "qbo":
                return await self._redeem_qbo(flow, code, realm_id)
            return await self._redeem(flow, code, verifier)
        except LedgerError:  # Xero's errors are ledger errors too
            await self._end(flow, Failure.XERO_ERROR)
            return Outcome(flow.organisation_id, failure=Failure.XERO_ERROR, ledger=flow.ledger)

    async def _redeem_qbo(self, flow: Authorisation, code: str, realm_id: str) -> Outcome:
        """Intuit's consent chose the company: the code is worth a token set for that realm."""
        if not realm_id:
            await self._end(flow, Failure.NO_TENANT)
            return Outcome(flow.organisation_id, failure=Failure.NO_TENANT, ledger="qbo")
        intuit = self._tokens.grants_for("qbo")
        assert isinstance(intuit, IntuitIdentity)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": flow.redirect_uri}
        granted = await intuit.grant(form)
        if granted is None:
            await self._end(flow, Failure.CODE_REFUSED)
            return Outcome(flow.organisation_id, failure=Failure.CODE_REFUSED, ledger="qbo")
        company = await intuit.company(granted.access_token, realm_id)
        return await self._bind(flow, company, granted)

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
            ended = Outcome(flow.organisation_id, tenant=tenant, ledger=flow.ledger)
            try:
                async with conn.transaction():  # a savepoint: the refusal must not abort the rest
                    await self._tokens.store(
                        conn, tenant, granted, flow.organisation_id, flow.started_by, flow.ledger
                    )
            except TenantTaken:
                await Authorisations(conn).end(flow.state_hash, Failure.TENANT_TAKEN.value)
                return replace(ended, failure=Failure.TENANT_TAKEN)
            except OtherLedgerConnected as other:
                await Authorisations(conn).end(flow.state_hash, Failure.OTHER_LEDGER.value)
                return replace(ended, failure=Failure.OTHER_LEDGER, other_ledger=other.ledger)
            row = await Connections(conn).get(flow.organisation_id)
            assert row is not None
            await emit_connection(conn, row)
            await MasterData(conn).mark_due(flow.organisation_id)  # read by the worker's pass
            await Authorisations(conn).end(flow.state_hash, Ending.CONNECTED.value)
        return replace(ended, ending=Ending.CONNECTED)

    async def _end(self, flow: Authorisation, failure: Failure) -> None:
        async with self._pool.acquire() as conn:
            await Authorisations(conn).end(flow.state_hash, failure.value)
