"""Connecting an organisation to a Xero tenant (operators).

authorization code ─▶ token grant ─┐
token set, as sent ────────────────┴▶ tenants the token reaches ─▶ the one asked for (or
                                      the only one) ─▶ tokens sealed and stored; the
                                      connection's NOTIFY wakes a worker
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_platform.refusals import FieldError, Invalid

from countersign_publisher.adapters.tokens import XeroTokens
from countersign_publisher.adapters.xero_errors import XeroAuthError
from countersign_publisher.adapters.xero_identity import TokenSet, XeroIdentity
from countersign_publisher.db.connections import ConnectionRow, Connections
from countersign_publisher.domain.connection import choose_tenant

__all__ = [
    "CodeRefused",
    "TokenRefused",
    "connect_organisation",
    "connection_of",
    "exchange_code",
]


class CodeRefused(Invalid):
    title = "Xero refused the authorization code"


class TokenRefused(Invalid):
    title = "Xero refused the token"


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
    await tokens.store(organisation_id, tenant.tenant_id, tenant.tenant_name, token_set)
