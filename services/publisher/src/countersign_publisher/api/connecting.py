"""An organisation's admin connects it to Xero or QuickBooks Online and disconnects it: the
admin's calls (an access token with the admin role) and the pages each ledger sends their
browser back to (``/v1/xero/callback``, ``/v1/qbo/callback``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from countersign_contracts import Text, ledger_title
from countersign_platform.access_http import OrganisationAdmin
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.problems import Problem
from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from countersign_publisher.api.connections import ConnectionView, connection
from countersign_publisher.api.pages import outcome_page
from countersign_publisher.api.routing import Parts, State, organisation_router
from countersign_publisher.components import Components
from countersign_publisher.handlers.connecting import Connecting
from countersign_publisher.handlers.connections import disconnect_organisation
from countersign_publisher.handlers.qbo_connections import disconnect_qbo, refuse_other_ledger

__all__ = ["callback_router", "qbo_callback_router", "router"]

router = organisation_router()
callback_router = APIRouter(
    prefix="/v1/xero", tags=["xero connection"], route_class=StrictJsonRoute
)
qbo_callback_router = APIRouter(
    prefix="/v1/qbo", tags=["qbo connection"], route_class=StrictJsonRoute
)


class AuthorisationStarted(BaseModel):
    authorize_url: str
    expires_at: datetime


class Disconnected(ConnectionView):
    xero_disconnected: bool


class QboDisconnected(ConnectionView):
    intuit_revoked: bool = Field(description="Intuit accepted the revocation")


def _connecting(parts: Components, ledger: str = "xero") -> Connecting:
    if parts.connecting is None or not parts.connecting.connectable(ledger):
        prefix = "PUBLISHER_XERO" if ledger == "xero" else "PUBLISHER_QBO"
        raise Problem(
            503,
            f"{ledger}-connect-unconfigured",
            f"{ledger_title(ledger)} cannot be connected here",
            f"set ENCRYPTION_KEYS and {prefix}_REDIRECT_URI",
        )
    return parts.connecting


@router.post(
    "/xero-connection/authorisations",
    status_code=201,
    summary="Start connecting Xero: the consent page to send the admin's browser to (admins)",
)
async def start(
    organisation_id: UUID, parts: Parts, admin: OrganisationAdmin
) -> AuthorisationStarted:
    started = await _connecting(parts).start(organisation_id, admin.user_id)
    return AuthorisationStarted(authorize_url=started.authorize_url, expires_at=started.expires_at)


@router.delete("/xero-connection", summary="Disconnect Xero and destroy its tokens (admins)")
async def disconnect(
    organisation_id: UUID, state: State, parts: Parts, admin: OrganisationAdmin
) -> Disconnected:
    _connecting(parts)
    tokens = parts.tokens
    assert tokens is not None  # a Connecting is built only with them
    async with state.pool.acquire() as conn:
        await refuse_other_ledger(conn, organisation_id, "xero")
    _, at_xero = await disconnect_organisation(tokens, organisation_id, admin.user_id)
    view = await connection(organisation_id, state, None)
    return Disconnected(**view.model_dump(), xero_disconnected=at_xero)


@router.post(
    "/qbo-connection/authorisations",
    status_code=201,
    summary="Start connecting QuickBooks Online: Intuit's consent page for the admin (admins)",
)
async def start_qbo(
    organisation_id: UUID, parts: Parts, admin: OrganisationAdmin
) -> AuthorisationStarted:
    started = await _connecting(parts, "qbo").start(organisation_id, admin.user_id, "qbo")
    return AuthorisationStarted(authorize_url=started.authorize_url, expires_at=started.expires_at)


@router.delete(
    "/qbo-connection", summary="Disconnect QuickBooks Online and destroy its tokens (admins)"
)
async def disconnect_quickbooks(
    organisation_id: UUID, state: State, parts: Parts, admin: OrganisationAdmin
) -> QboDisconnected:
    if parts.tokens is None or "qbo" not in parts.tokens.grants:
        raise Problem(503, "no-keyring", "Tokens cannot be opened", "set ENCRYPTION_KEYS")
    _, revoked = await disconnect_qbo(parts.tokens, organisation_id, admin.user_id)
    view = await connection(organisation_id, state, None)
    return QboDisconnected(**view.model_dump(), intuit_revoked=revoked)


@callback_router.get("/callback", response_class=HTMLResponse, include_in_schema=False)
async def callback(
    parts: Parts, state: Text = "", code: Text = "", error: Text = ""
) -> HTMLResponse:
    outcome = await _connecting(parts).call_back(state, code, error)
    return outcome_page(outcome, state)


@qbo_callback_router.get("/callback", response_class=HTMLResponse, include_in_schema=False)
async def qbo_callback(
    parts: Parts,
    state: Text = "",
    code: Text = "",
    error: Text = "",
    realm_id: Annotated[Text, Query(alias="realmId")] = "",
) -> HTMLResponse:
    outcome = await _connecting(parts, "qbo").call_back(state, code, error, realm_id)
    return outcome_page(outcome, state)


@callback_router.post("/tenant", response_class=HTMLResponse, include_in_schema=False)
async def choose_tenant(
    parts: Parts, state: Annotated[Text, Form()], tenant_id: Annotated[Text, Form()]
) -> HTMLResponse:
    outcome = await _connecting(parts).choose(state, tenant_id)
    return outcome_page(outcome, state)
