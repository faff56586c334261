"""The operator's Xero connection of an organisation, and pulling its suppliers on demand."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from countersign_contracts import Text
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.operators import Operator
from countersign_platform.problems import FieldError, Problem
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from countersign_publisher.adapters.tokens import TokenSet
from countersign_publisher.adapters.xero_errors import XeroError
from countersign_publisher.components import Components, Parts, State
from countersign_publisher.db.connections import Connections

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/organisations/{organisation_id}", tags=["publications"], route_class=StrictJsonRoute
)


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


class ConnectionView(BaseModel):
    organisation_id: UUID
    connected: bool
    status: str
    tenant_id: str | None = None
    tenant_name: str | None = None
    scope: str | None = None
    access_token_expires_at: datetime | None = None
    connected_at: datetime | None = None
    refreshed_at: datetime | None = None
    last_error: str | None = None


@router.get("/xero-connection", summary="Xero connection state (operators)")
async def connection(organisation_id: UUID, state: State, _: Operator) -> ConnectionView:
    async with state.pool.acquire() as conn:
        row = await Connections(conn).get(organisation_id)
    if row is None:
        return ConnectionView(organisation_id=organisation_id, connected=False, status="none")
    return ConnectionView(
        organisation_id=organisation_id,
        connected=row.status == "connected",
        status=row.status,
        tenant_id=row.tenant_id,
        tenant_name=row.tenant_name,
        scope=row.scope,
        access_token_expires_at=row.expires_at,
        connected_at=row.connected_at,
        refreshed_at=row.refreshed_at,
        last_error=row.last_error,
    )


@router.put("/xero-connection", summary="Connect the organisation to a Xero tenant (operators)")
async def connect(
    organisation_id: UUID, body: ConnectRequest, state: State, parts: Parts, _: Operator
) -> ConnectionView:
    if parts.tokens is None:
        raise Problem(503, "no-keyring", "Tokens cannot be stored", "set ENCRYPTION_KEYS")
    if body.authorization_code is not None:
        form = {"grant_type": "authorization_code", "code": body.authorization_code}
        if body.redirect_uri:
            form["redirect_uri"] = body.redirect_uri
        try:
            granted = await parts.tokens.grant(form)
        except XeroError as exc:
            raise Problem(
                502, "xero-unavailable", "Xero identity did not answer", str(exc)
            ) from exc
        if granted is None:
            raise Problem(
                422,
                "validation",
                "Xero refused the authorization code",
                errors=[FieldError("authorization_code", "invalid_grant", "refused by Xero")],
            )
        tokens = TokenSet.from_response(granted)
    else:
        assert body.access_token is not None and body.refresh_token is not None
        tokens = TokenSet.from_response(
            {
                "access_token": body.access_token,
                "refresh_token": body.refresh_token,
                "expires_in": body.expires_in,
            }
        )
    tenants = await _tenants(parts, tokens.access_token)
    chosen = [t for t in tenants if body.tenant_id in (None, t.get("tenantId"))]
    if len(chosen) != 1:
        raise Problem(
            422,
            "validation",
            "Choose one Xero tenant",
            errors=[
                FieldError(
                    "tenant_id",
                    "one_tenant",
                    f"the grant reaches {[t.get('tenantId') for t in tenants]}",
                )
            ],
        )
    tenant = chosen[0]
    await parts.tokens.store(
        organisation_id, str(tenant["tenantId"]), tenant.get("tenantName"), tokens
    )
    return await connection(organisation_id, state, None)  # its NOTIFY wakes a worker


async def _tenants(parts: Components, access_token: str) -> list[dict[str, Any]]:
    root = parts.settings.xero_api_url.rstrip("/").removesuffix("/api.xro/2.0")
    response = await parts.http.get(
        f"{root}/connections", headers={"Authorization": f"Bearer {access_token}"}
    )
    if response.status_code != 200:
        raise Problem(
            422,
            "validation",
            "Xero refused the token",
            errors=[
                FieldError("access_token", "unauthorised", f"Xero answered {response.status_code}")
            ],
        )
    body: list[dict[str, Any]] = response.json()
    return body


@router.post("/supplier-sync", summary="Pull changed Xero contacts now (operators)")
async def supplier_sync(organisation_id: UUID, parts: Parts, _: Operator) -> dict[str, int]:
    try:
        emitted = await parts.contacts.sync_suppliers(organisation_id)
    except XeroError as exc:
        raise Problem(502, "xero-unavailable", "Supplier sync failed", str(exc)) from exc
    return {"suppliers_emitted": emitted}
