"""Tokens per ledger (ADR 0069): a refresh goes to the token endpoint of the ledger the
connection row names and stores what came back; Intuit's endpoints come from its discovery
document (read once), its token endpoint takes HTTP Basic client auth, revoke takes JSON."""

import base64
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from countersign_platform.outbound import OutboundHttp
from countersign_platform.sealing import Keyring
from countersign_publisher.adapters.intuit_identity import IntuitIdentity
from countersign_publisher.adapters.oauth_grants import TokenSet
from countersign_publisher.adapters.tokens import LedgerTokens
from countersign_publisher.adapters.xero_errors import XeroAuthError
from countersign_publisher.ledger.errors import LedgerAuthLost

KEYRING = Keyring.parse("k1:" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode())
ORG = uuid.uuid4()
BASIC = "Basic " + base64.b64encode(b"app:secret").decode()


@contextlib.asynccontextmanager
async def intuit(answers: dict[str, tuple[int, Any]], seen: list[tuple[str, Any]]) -> AsyncIterator[
    IntuitIdentity
]:  # fmt: skip
    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        form = dict(await request.post()) if request.content_type.endswith("urlencoded") else None
        seen.append((request.path, form or (json.loads(body) if body else None)))
        seen.append(("auth", request.headers.get("authorization")))
        status, answer = answers[request.path]
        if request.path.endswith("configuration"):
            root = str(request.url.origin())
            answer = {k: root + v for k, v in answer.items()}
        return web.Response(status=status, text=json.dumps(answer))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(app)
    await server.start_server()
    http = OutboundHttp(timeout_s=5)
    try:
        yield IntuitIdentity(
            http,
            discovery_url=str(server.make_url("/.well-known/openid_configuration")),
            api_url=str(server.make_url("/")),
            client_id="app",
            client_secret="secret",
        )
    finally:
        await http.aclose()
        await server.close()


DISCOVERY = (
    200,
    {
        "authorization_endpoint": "/connect/oauth2",
        "token_endpoint": "/oauth2/v1/tokens/bearer",
        "revocation_endpoint": "/v2/oauth2/tokens/revoke",
    },
)
ROTATED = {"access_token": "A2", "refresh_token": "R2", "expires_in": 3600, "token_type": "bearer"}


async def test_a_refresh_at_intuit_reads_discovery_once_and_sends_basic_auth() -> None:
    seen: list[tuple[str, Any]] = []
    answers = {"/.well-known/openid_configuration": DISCOVERY,
               "/oauth2/v1/tokens/bearer": (200, ROTATED)}  # fmt: skip
    async with intuit(answers, seen) as identity:
        first = await identity.grant({"grant_type": "refresh_token", "refresh_token": "R1"})
        await identity.grant({"grant_type": "refresh_token", "refresh_token": "R2"})
    paths = [path for path, _ in seen if path != "auth"]
    assert paths == ["/.well-known/openid_configuration", *["/oauth2/v1/tokens/bearer"] * 2]
    assert (
        "/oauth2/v1/tokens/bearer",
        {"grant_type": "refresh_token", "refresh_token": "R1"},
    ) in seen
    assert seen[3] == ("auth", BASIC)
    assert first is not None and (first.access_token, first.refresh_token) == ("A2", "R2")


async def test_invalid_grant_at_intuit_is_no_token_set() -> None:
    answers = {"/.well-known/openid_configuration": DISCOVERY,
               "/oauth2/v1/tokens/bearer": (400, {"error": "invalid_grant"})}  # fmt: skip
    async with intuit(answers, []) as identity:
        assert await identity.grant({"grant_type": "refresh_token", "refresh_token": "R0"}) is None


async def test_revoke_posts_the_token_as_json_with_basic_auth() -> None:
    seen: list[tuple[str, Any]] = []
    answers = {"/.well-known/openid_configuration": DISCOVERY,
               "/v2/oauth2/tokens/revoke": (200, {})}  # fmt: skip
    async with intuit(answers, seen) as identity:
        await identity.revoke("R1")
    assert ("/v2/oauth2/tokens/revoke", {"token": "R1"}) in seen and seen[-1] == ("auth", BASIC)


async def test_the_company_is_named_from_company_info_and_a_refused_token_is_auth_lost() -> None:
    info = (200, {"CompanyInfo": {"CompanyName": "Acme Inc", "Id": "1"}, "time": "now"})
    async with intuit({"/v3/company/9130/companyinfo/9130": info}, []) as identity:
        company = await identity.company("A1", "9130")
    assert (company.tenant_id, company.tenant_name) == ("9130", "Acme Inc")
    refused = (401, {"fault": {"error": [{"code": "3200"}]}})
    async with intuit({"/v3/company/9130/companyinfo/9130": refused}, []) as identity:
        with pytest.raises(LedgerAuthLost):
            await identity.company("A1", "9130")


# The store's refresh, by the row's ledger, over a stand-in for the connection's SQL.


class Grants:
    def __init__(self, title: str, auth_lost: type[LedgerAuthLost], answer: TokenSet | None):
        self.title, self.auth_lost, self.answer = title, auth_lost, answer
        self.forms: list[dict[str, str]] = []

    async def grant(self, form: dict[str, str]) -> TokenSet | None:
        self.forms.append(form)
        return self.answer


class Conn:
    """What ``Connections`` runs, for one expired row: its reads, and the writes recorded."""

    def __init__(self, ledger: str) -> None:
        self.row = {
            "organisation_id": ORG, "tenant_id": "9130", "tenant_name": "Acme Inc",
            "access_token": KEYRING.seal(b"A1", f"publisher:xero-access:{ORG}"),
            "refresh_token": KEYRING.seal(b"R1", f"publisher:xero-refresh:{ORG}"),
            "expires_at": datetime.now(UTC) - timedelta(minutes=1), "scope": None,
            "status": "connected", "last_error": None, "connected_at": datetime.now(UTC),
            "refreshed_at": None, "xero_connection_id": None, "changed_by": None,
            "changed_at": datetime.now(UTC), "ledger": ledger,
        }  # fmt: skip
        self.writes: list[tuple[Any, ...]] = []

    async def fetchrow(self, sql: str, *args: Any) -> dict[str, Any] | None:
        if sql.startswith("UPDATE"):
            self.writes.append((sql, *args))
            self.row["status"] = "needs_reconnect"
        return self.row

    async def execute(self, sql: str, *args: Any) -> None:
        self.writes.append((sql, *args))

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        yield


class Pool:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Conn]:
        yield self.conn


def _store(
    ledger: str, qbo_answer: TokenSet | None, on_broken: Any = None
) -> tuple[LedgerTokens, Conn, Grants, Grants]:
    conn = Conn(ledger)
    xero = Grants("Xero", XeroAuthError, None)
    qbo = Grants("QuickBooks Online", LedgerAuthLost, qbo_answer)
    grants = cast(dict[str, Any], {"xero": xero, "qbo": qbo})
    extra = {} if on_broken is None else {"on_broken": on_broken}
    store = LedgerTokens(cast(asyncpg.Pool, Pool(conn)), KEYRING, grants, **extra)
    return store, conn, xero, qbo


async def test_a_qbo_rows_refresh_goes_to_intuit_and_the_rotated_token_is_stored() -> None:
    rotated = TokenSet("A2", "R2", datetime.now(UTC) + timedelta(hours=1))
    tokens, conn, xero, qbo = _store("qbo", rotated)
    credentials = await tokens.credentials(ORG)
    assert (credentials.access_token, credentials.tenant_id) == ("A2", "9130")
    assert qbo.forms == [{"grant_type": "refresh_token", "refresh_token": "R1"}]
    assert xero.forms == []
    ((sql, organisation, access, refresh, _),) = conn.writes
    assert sql.startswith("UPDATE xero_connections SET access_token") and organisation == ORG
    assert KEYRING.open(refresh, f"publisher:xero-refresh:{ORG}") == b"R2"
    assert KEYRING.open(access, f"publisher:xero-access:{ORG}") == b"A2"


async def test_a_qbo_refresh_refused_marks_the_connection_and_raises_auth_lost() -> None:
    broken: list[UUID] = []

    async def on_broken(conn: Any, row: Any) -> None:
        broken.append(row.organisation_id)

    tokens, conn, xero, _ = _store("qbo", None, on_broken)
    with pytest.raises(LedgerAuthLost, match="QuickBooks Online refused") as raised:
        await tokens.credentials(ORG)
    assert not isinstance(raised.value, XeroAuthError)
    assert "needs_reconnect" in conn.writes[0][0] and conn.writes[0][2] == "invalid_grant"
    assert broken == [ORG] and xero.forms == []
