"""``POST /connect/token``, ``POST /connect/revocation``, ``GET /connections`` and
``DELETE /connections/{id}``, on the same host as the Accounting API. A token sees the
connections of its app and its user (``connections.py``); the browser side of the identity
server is ``consent_endpoints.py``."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from countersign_xero_sandbox.identity import AccessGrant, TokenError
from countersign_xero_sandbox.sandbox import Sandbox
from countersign_xero_sandbox.wire import unauthorized

__all__ = ["identity_routes"]


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


def _oauth_error(error: TokenError) -> Response:
    return JSONResponse({"error": error.code}, status_code=400)


def _grant(sandbox: Sandbox, request: Request) -> AccessGrant | Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    grant = sandbox.identity.grant_for(token.strip()) if scheme.lower() == "bearer" else None
    if grant is None or isinstance(grant, str):
        return unauthorized(grant or "AuthenticationUnsuccessful")
    return grant


def identity_routes(sandbox: Sandbox) -> list[Route]:
    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        try:
            answer = sandbox.identity.exchange(form, _basic(request))
        except TokenError as error:
            return _oauth_error(error)
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    async def revoke(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        try:
            client_id = sandbox.identity.authenticate_client(form, _basic(request))
        except TokenError as error:
            return _oauth_error(error)
        sandbox.identity.revoke(client_id, form.get("token", ""))
        return Response(status_code=200)

    async def connections(request: Request) -> Response:
        grant = _grant(sandbox, request)
        if isinstance(grant, Response):
            return grant
        event = request.query_params.get("authEventId")
        found = [
            {
                "id": c.id,
                "authEventId": c.auth_event_id,
                "tenantId": c.tenant_id,
                "tenantType": "ORGANISATION",
                "tenantName": sandbox.tenants[c.tenant_id].organisation["Name"]
                if c.tenant_id in sandbox.tenants
                else c.tenant_name,
                "createdDateUtc": c.created.isoformat(),
                "updatedDateUtc": c.updated.isoformat(),
            }
            for c in sandbox.identity.connections.of(grant.client_id, grant.user_id)
            if event is None or c.auth_event_id == event
        ]
        return JSONResponse(found)

    async def disconnect(request: Request) -> Response:
        grant = _grant(sandbox, request)
        if isinstance(grant, Response):
            return grant
        wanted = request.path_params["connection_id"]
        visible = sandbox.identity.connections.of(grant.client_id, grant.user_id)
        found = [c for c in visible if c.id == wanted]
        if not found:
            return Response("The resource you're looking for cannot be found", status_code=404)
        sandbox.identity.disconnect(found)
        return Response(status_code=204)

    return [
        Route("/connect/token", token, methods=["POST"]),
        Route("/connect/revocation", revoke, methods=["POST"]),
        Route("/connections", connections, methods=["GET"]),
        Route("/Connections", connections, methods=["GET"]),
        Route("/connections/{connection_id}", disconnect, methods=["DELETE"]),
        Route("/Connections/{connection_id}", disconnect, methods=["DELETE"]),
    ]
