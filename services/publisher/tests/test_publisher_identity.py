"""The identity client against a local HTTP server: grants at the identity host, tenants at
the root of the Accounting API's host, Xero's refusals as values or XeroAuthError."""

import contextlib
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from countersign_platform.outbound import OutboundHttp
from countersign_publisher.adapters.xero_errors import XeroAuthError
from countersign_publisher.adapters.xero_identity import XeroIdentity
from countersign_publisher.domain.connection import Tenant


@contextlib.asynccontextmanager
async def identity(
    status: int, body: object, seen: list[web.Request]
) -> AsyncIterator[XeroIdentity]:
    async def handle(request: web.Request) -> web.StreamResponse:
        await request.read()
        seen.append(request)
        return web.Response(status=status, text=json.dumps(body))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(app)
    await server.start_server()
    http = OutboundHttp(timeout_s=5)
    try:
        yield XeroIdentity(
            http,
            identity_url=str(server.make_url("/")),
            api_url=str(server.make_url("/api.xro/2.0")),
            client_id="app",
            client_secret="secret",
        )
    finally:
        await http.aclose()
        await server.close()


async def test_tenants_are_read_at_the_api_host_root_with_the_token() -> None:
    seen: list[web.Request] = []
    listed = [{"tenantId": "t-1", "tenantName": "One"}, {"tenantId": "t-2"}]
    async with identity(200, listed, seen) as client:
        tenants = await client.tenants("access-1")
    assert tenants == [Tenant("t-1", "One"), Tenant("t-2", None)]
    (request,) = seen
    assert request.method == "GET" and request.path == "/connections"
    assert request.headers["authorization"] == "Bearer access-1"


async def test_a_token_xero_does_not_take_is_an_auth_error_with_its_status() -> None:
    async with identity(401, {"title": "Unauthorized"}, []) as client:
        with pytest.raises(XeroAuthError) as refused:
            await client.tenants("expired")
    assert refused.value.status == 401


async def test_a_grant_is_a_token_set_or_none_when_refused() -> None:
    seen: list[web.Request] = []
    granted = {"access_token": "a", "refresh_token": "r", "expires_in": 1800, "scope": "s"}
    async with identity(200, granted, seen) as client:
        tokens = await client.grant({"grant_type": "authorization_code", "code": "c"})
    assert tokens is not None and (tokens.access_token, tokens.scope) == ("a", "s")
    (request,) = seen
    assert request.method == "POST" and request.path == "/connect/token"
    assert request.headers["authorization"].startswith("Basic ")
    async with identity(400, {"error": "invalid_grant"}, []) as client:
        assert await client.grant({"grant_type": "authorization_code", "code": "c"}) is None
