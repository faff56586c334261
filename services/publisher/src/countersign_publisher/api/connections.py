"""An organisation's ledger connection as it stands (its admins or the operator), the operator's
import of a Xero or QuickBooks Online grant made elsewhere, and pulling its suppliers on
demand."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_contracts import Ledger, Text
from countersign_platform.access_http import AdminOrOperator
from countersign_platform.operators import Operator
from countersign_platform.problems import Problem
from pydantic import BaseModel, ConfigDict, Field, model_validator

from countersign_publisher.adapters.xero_errors import XeroError
from countersign_publisher.adapters.xero_identity import TokenSet
from countersign_publisher.api.routing import Parts, State, organisation_router
from countersign_publisher.handlers.connections import (
    connect_organisation,
    connection_of,
    exchange_code,
)
from countersign_publisher.handlers.organisations import refuse_if_suspended
from countersign_publisher.handlers.qbo_connections import connect_qbo, refuse_other_ledger
from countersign_publisher.ledger.errors import LedgerError

__all__ = ["router"]

router = organisation_router()


class ConnectRequest(BaseModel):
    """Either an authorization code from Xero's consent screen, or a token set."""

    # A misspelt "tenantId" must not be dropped: the connection would go to the default tenant.
    model_config = ConfigDict(extra="forbid")

    authorization_code: Text | None = Field(default=None, min_length=1)
    redirect_uri: Text | None = None
    access_token: Text | None = Field(default=None, min_length=1)
    refresh_token: Text | None = Field(default=None, min_length=1)
    expires_in: int = Field(default=1800, ge=1)
    tenant_id: Text | None = Field(default=None, description="Needed when the grant has several")

    @model_validator(mode="after")
    def _one_grant(self) -> ConnectRequest:
        if (self.authorization_code is None) == (self.access_token is None):
            raise ValueError("send authorization_code, or access_token with refresh_token")
        if self.access_token is not None and self.refresh_token is None:
            raise ValueError("a token set needs its refresh_token")
        return self


class QboConnectRequest(BaseModel):
    """A token set Intuit issued for one company (realm), as its token endpoint answered."""

    model_config = ConfigDict(extra="forbid")

    access_token: Text = Field(min_length=1)
    refresh_token: Text = Field(min_length=1)
    expires_in: int = Field(default=3600, ge=1)
    realm_id: Text = Field(
        pattern=r"^[0-9]{1,32}$", description="the company's realmId (digits), as Intuit sent it"
    )


class ConnectionView(BaseModel):
    organisation_id: UUID
    connected: bool
    ledger: Ledger | None = Field(default=None, description="The ledger connected (read-only)")
    status: str = Field(description="none, connected, needs_reconnect or disconnected")
    tenant_id: str | None = Field(default=None, description="Xero's tenant or QBO's realmId")
    tenant_name: str | None = Field(default=None, description="the organisation or company")
    scope: str | None = None
    access_token_expires_at: datetime | None = None
    connected_at: datetime | None = None
    refreshed_at: datetime | None = None
    last_error: str | None = None
    changed_by: UUID | None = Field(default=None, description="who last connected or disconnected")
    changed_at: datetime | None = None


@router.get("/ledger-connection", summary="Ledger connection state (admins, operators)")
@router.get("/xero-connection", summary="Ledger connection state; the older path")
async def connection(organisation_id: UUID, state: State, _: AdminOrOperator) -> ConnectionView:
    row = await connection_of(state.pool, organisation_id)
    if row is None:
        return ConnectionView(organisation_id=organisation_id, connected=False, status="none")
    return ConnectionView(
        organisation_id=organisation_id,
        connected=row.status == "connected",
        ledger=Ledger(row.ledger),
        status=row.status,
        tenant_id=row.tenant_id,
        tenant_name=row.tenant_name,
        scope=row.scope,
        access_token_expires_at=row.expires_at,
        connected_at=row.connected_at,
        refreshed_at=row.refreshed_at,
        last_error=row.last_error,
        changed_by=row.changed_by,
        changed_at=row.changed_at,
    )


@router.put("/xero-connection", summary="Import a Xero grant made elsewhere (operators)")
async def connect(
    organisation_id: UUID, body: ConnectRequest, state: State, parts: Parts, _: Operator
) -> ConnectionView:
    if parts.tokens is None:
        raise Problem(503, "no-keyring", "Tokens cannot be stored", "set ENCRYPTION_KEYS")
    async with state.pool.acquire() as conn:  # before Xero is asked; the store checks it again
        await refuse_other_ledger(conn, organisation_id, "xero")
    if body.authorization_code is not None:
        try:
            tokens = await exchange_code(
                parts.tokens.identity, body.authorization_code, body.redirect_uri
            )
        except XeroError as exc:
            raise Problem(
                502, "xero-unavailable", "Xero identity did not answer", str(exc)
            ) from exc
    else:
        assert body.access_token is not None and body.refresh_token is not None
        tokens = TokenSet.from_response(
            {
                "access_token": body.access_token,
                "refresh_token": body.refresh_token,
                "expires_in": body.expires_in,
            }
        )
    await connect_organisation(parts.tokens, organisation_id, tokens, body.tenant_id)
    return await connection(organisation_id, state, None)  # its NOTIFY wakes a worker


@router.put("/qbo-connection", summary="Import a QBO grant made elsewhere (operators)")
async def connect_quickbooks(
    organisation_id: UUID, body: QboConnectRequest, state: State, parts: Parts, _: Operator
) -> ConnectionView:
    if parts.tokens is None or "qbo" not in parts.tokens.grants:
        raise Problem(503, "no-keyring", "Tokens cannot be stored", "set ENCRYPTION_KEYS")
    tokens = TokenSet.from_response(
        {
            "access_token": body.access_token,
            "refresh_token": body.refresh_token,
            "expires_in": body.expires_in,
        }
    )
    try:
        await connect_qbo(parts.tokens, organisation_id, tokens, body.realm_id)
    except LedgerError as exc:  # Intuit did not answer; a refused token is a 422 already
        raise Problem(502, "qbo-unavailable", "QuickBooks Online did not answer", str(exc)) from exc
    return await connection(organisation_id, state, None)  # its NOTIFY wakes a worker


@router.post("/supplier-sync", summary="Pull changed Xero contacts now (admins, operators)")
async def supplier_sync(
    organisation_id: UUID, state: State, parts: Parts, _: AdminOrOperator
) -> dict[str, int]:
    await refuse_if_suspended(state.pool, organisation_id)
    try:
        emitted = await parts.contacts.sync_suppliers(organisation_id)
    except LedgerError as exc:
        raise Problem(502, "xero-unavailable", "Supplier sync failed", str(exc)) from exc
    return {"suppliers_emitted": emitted}
