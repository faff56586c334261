"""An organisation's Xero connection: an operator's import of a grant, and disconnecting.

authorization code ─▶ token grant ─┐
token set, as sent ────────────────┴▶ tenants the token reaches ─▶ the one asked for (or
                                      the only one) ─▶ tokens sealed and stored with the
                                      connection's event; its NOTIFY wakes a worker

Admins connect through Xero's consent instead (``connecting.py``).
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_platform.refusals import Conflict, FieldError, Invalid

from countersign_publisher.adapters.tokens import XeroTokens
from countersign_publisher.adapters.xero_errors import XeroAuthError, XeroTransient
from countersign_publisher.adapters.xero_identity import TokenSet, XeroIdentity
from countersign_publisher.db.connections import (
    ConnectionRow,
    Connections,
    OtherLedgerConnected,
    TenantTaken,
)
from countersign_publisher.db.master_data import MasterData
from countersign_publisher.domain.connection import Tenant, choose_tenant
from countersign_publisher.handlers.events import emit_connection

__all__ = [
    "CodeRefused",
    "OtherLedgerConnectedFirst",
    "TenantBoundElsewhere",
    "TokenRefused",
    "connect_organisation",
    "connection_of",
    "disconnect_organisation",
    "exchange_code",
]


class CodeRefused(Invalid):
    title = "Xero refused the authorization code"


class TokenRefused(Invalid):
    title = "Xero refused the token"


class TenantBoundElsewhere(Conflict):
    kind = "tenant-bound-elsewhere"
    title = "This Xero organisation is connected to another Countersign organisation"


class OtherLedgerConnectedFirst(Conflict):
    kind = "other-ledger-connected"
    title = "The organisation is connected to another ledger"


async def connection_of(pool: asyncpg.Pool, organisation_id: UUID) -> ConnectionRow | None:
    async with pool.acquire() as conn:
        return await Connections(conn).get(organisation_id)


async def exchange_code(identity: XeroIdentity, code: str, redirect_uri: str | None) -> TokenSet:
    """The token set an authorization code from Xero's consent screen is worth. Raises
    ``XeroError`` when Xero's identity service did not answer."""
    form = {"grant_type": "authorization_code", "code": code}
    if redirect_uri:
        form["redirect_uri"] = redirect_uri
    granted = await identity.grant(form)
    if granted is None:
        raise CodeRefused(
            "", [FieldError("authorization_code", "invalid_grant", "refused by Xero")]
        )
    return granted


async def connect_organisation(
    tokens: XeroTokens, organisation_id: UUID, token_set: TokenSet, tenant_id: str | None
) -> None:
    """Connects (or reconnects) the organisation to the tenant its token reaches."""
    try:
        tenants = await tokens.identity.tenants(token_set.access_token)
    except XeroAuthError as refused:
        raise TokenRefused(
            "", [FieldError("access_token", "unauthorised", f"Xero answered {refused.status}")]
        ) from refused
    tenant = choose_tenant(tenants, tenant_id)
    await bind(tokens, organisation_id, tenant, token_set, None)


async def bind(
    tokens: XeroTokens,
    organisation_id: UUID,
    tenant: Tenant,
    token_set: TokenSet,
    by: UUID | None,
    ledger: str = "xero",
) -> ConnectionRow:
    """Stores the connection with its event, in one transaction."""
    async with tokens.pool.acquire() as conn, conn.transaction():
        try:
            await tokens.store(conn, tenant, token_set, organisation_id, by, ledger)
        except TenantTaken as taken:
            raise TenantBoundElsewhere(
                f"tenant {tenant.tenant_id} serves another organisation; disconnect it there first"
            ) from taken
        except OtherLedgerConnected as other:
            raise OtherLedgerConnectedFirst(
                f"the organisation is connected to {other.ledger}: disconnect it first",
                extensions={"connected_ledger": other.ledger},
            ) from other
        row = await Connections(conn).get(organisation_id)
        assert row is not None
        await emit_connection(conn, row)
        await MasterData(conn).mark_due(organisation_id)  # read by the worker's pass
    return row


async def disconnect_organisation(
    tokens: XeroTokens, organisation_id: UUID, by: UUID | None
) -> tuple[ConnectionRow | None, bool]:
    """Disconnects at Xero (its connection removed, the refresh token revoked) and here (the
    tokens destroyed, the event written). Xero unreachable or refusing does not keep the tokens:
    the answer says whether Xero let go too. None when nothing was connected."""
    at_xero = await _disconnect_at_xero(tokens, organisation_id)
    async with tokens.pool.acquire() as conn, conn.transaction():
        held = await tokens.current(conn, organisation_id)
        row = await Connections(conn).disconnect(organisation_id, by)
        if row is not None:
            await emit_connection(conn, row)
    tokens.forget(organisation_id)
    if held is not None:
        try:
            await tokens.identity.revoke(held.refresh_token)
        except XeroTransient:
            at_xero = False
    return row, at_xero


async def _disconnect_at_xero(tokens: XeroTokens, organisation_id: UUID) -> bool:
    row = await connection_of(tokens.pool, organisation_id)
    if row is None or row.status != "connected":
        return False
    try:
        credentials = await tokens.credentials(organisation_id)
        connection_id = row.xero_connection_id or next(
            (
                t.connection_id
                for t in await tokens.identity.tenants(credentials.access_token)
                if t.tenant_id == row.tenant_id
            ),
            None,
        )
        if connection_id is None:
            return False
        return await tokens.identity.disconnect(credentials.access_token, connection_id)
    except (XeroAuthError, XeroTransient):
        return False
