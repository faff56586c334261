"""Connecting an organisation to QuickBooks Online (ADR 0069): a grant imported with its realm,
tokens refreshed at Intuit's token endpoint (the sandbox's clock), a refused refresh token, and
the admin's OAuth2 code flow through the QBO sandbox's consent page — the real database, the
sandbox over HTTP."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from countersign_harness.publisher import (
    ENCRYPTION_KEYS,
    RunningPublisher,
    qbo_settings,
    running_publisher,
)
from countersign_harness.qbo_process import CLIENT_ID, CLIENT_SECRET, QboSandbox, answer_consent
from countersign_platform.access import Caller, SigningKeys, generate_seed
from countersign_platform.sealing import Keyring
from countersign_publisher.ledger.errors import LedgerAuthLost

pytestmark = pytest.mark.integration

REDIRECT_URI = "http://publisher/v1/qbo/callback"  # the in-process publisher's own address
SIGNING = SigningKeys.parse("qbo1:" + generate_seed())
DAY_AND_AN_HOUR_S = 25 * 3600  # Intuit rotates a refresh token a day after it was issued


@pytest.fixture(scope="module")
def company(qbo_sandbox: QboSandbox) -> Iterator[str]:
    qbo_sandbox.register_app([REDIRECT_URI])
    yield qbo_sandbox.create_company(name="Maple Supplies Inc", country="US")["realm_id"]


@pytest.fixture
async def jwks_url() -> AsyncIterator[str]:
    """Approval's key set, as the publisher fetches it to check an admin's access token."""

    async def keys(_: web.Request) -> web.Response:
        return web.json_response(SIGNING.jwks())

    app = web.Application()
    app.router.add_get("/jwks", keys)
    server = TestServer(app)
    await server.start_server()
    try:
        yield str(server.make_url("/jwks"))
    finally:
        await server.close()


@pytest.fixture
def publisher(settings_for: Any, qbo_sandbox: QboSandbox, jwks_url: str) -> Any:
    settings = settings_for(
        worker_enabled=False, access_jwks_url=jwks_url, **qbo_settings(qbo_sandbox, REDIRECT_URI)
    )
    return lambda: running_publisher(settings)


async def _events(running: RunningPublisher) -> list[dict[str, Any]]:
    rows = await running.runtime.pool.fetch(
        "SELECT payload FROM outbox WHERE topic LIKE '%ledger.connections.v1' ORDER BY id"
    )
    return [json.loads(r["payload"])["payload"] for r in rows]


async def test_an_imported_grant_gives_the_realm_and_token_and_names_the_company(
    publisher: Any, qbo_sandbox: QboSandbox, company: str
) -> None:
    org = uuid.uuid4()
    async with publisher() as running:
        shown = await running.connect_qbo(org, qbo_sandbox, company)
        assert running.parts.tokens is not None
        credentials = await running.parts.tokens.credentials(org)
        stored = await running.runtime.pool.fetchval("SELECT access_token FROM xero_connections")
        neutral = await running.http.get(f"/v1/organisations/{org}/ledger-connection")
        to_xero = await running.http.put(
            f"/v1/organisations/{org}/xero-connection",
            json={"access_token": "a", "refresh_token": "r", "tenant_id": "t"},
        )
        events = await _events(running)
    assert (shown["ledger"], shown["tenant_id"], shown["tenant_name"]) == (
        "qbo", company, "Maple Supplies Inc"
    )  # fmt: skip
    assert neutral.json() == shown
    assert credentials.tenant_id == company and credentials.access_token not in stored
    assert _reaches(qbo_sandbox, company, credentials.access_token) == 200
    assert to_xero.status_code == 409, to_xero.text
    assert to_xero.json()["connected_ledger"] == "qbo"
    assert [(e["ledger"], e["status"]) for e in events] == [("qbo", "connected")]


async def test_an_expired_token_is_refreshed_at_intuit_and_the_rotated_refresh_token_kept(
    publisher: Any, qbo_sandbox: QboSandbox, company: str
) -> None:
    org = uuid.uuid4()
    async with publisher() as running:
        await running.connect_qbo(org, qbo_sandbox, company)
        tokens = running.parts.tokens
        assert tokens is not None
        before = await _stored_refresh_token(running, org)
        qbo_sandbox.http.post("/_sandbox/clock", json={"advance_seconds": DAY_AND_AN_HOUR_S})
        await _expire(running, org)
        fresh = await tokens.credentials(org)
        after = await _stored_refresh_token(running, org)
    assert tokens.refreshes == 1
    assert after != before  # rotated after a day, and what came back is what is stored
    assert _reaches(qbo_sandbox, company, fresh.access_token) == 200
    superseded = _grant(qbo_sandbox, before)
    assert superseded.status_code == 400 and superseded.json()["error"] == "invalid_grant"


async def test_a_refused_refresh_token_needs_a_reconnect_with_its_event(
    publisher: Any, qbo_sandbox: QboSandbox, company: str
) -> None:
    org = uuid.uuid4()
    async with publisher() as running:
        await running.connect_qbo(org, qbo_sandbox, company)
        pool, tokens = running.runtime.pool, running.parts.tokens
        assert tokens is not None
        held = await _stored_refresh_token(running, org)
        qbo_sandbox.http.post("/_sandbox/clock", json={"advance_seconds": DAY_AND_AN_HOUR_S})
        assert _grant(qbo_sandbox, held).status_code == 200  # rotated elsewhere: ours superseded
        await _expire(running, org)
        with pytest.raises(LedgerAuthLost, match="invalid_grant"):
            await asyncio.wait_for(tokens.credentials(org), timeout=10)
        status = await pool.fetchval("SELECT status FROM xero_connections")
        events = await _events(running)
    assert status == "needs_reconnect"
    assert (events[-1]["ledger"], events[-1]["status"], events[-1]["reason"]) == (
        "qbo", "needs_reconnect", "invalid_grant"
    )  # fmt: skip


async def test_an_admin_connects_through_intuits_consent_and_disconnects(
    publisher: Any, qbo_sandbox: QboSandbox, company: str
) -> None:
    org, admin = uuid.uuid4(), uuid.uuid4()
    token = SIGNING.issue(Caller(admin, org, frozenset({"admin"}), "Ada Admin"), 300)
    auth = {"Authorization": f"Bearer {token}"}
    async with publisher() as running:
        path = f"/v1/organisations/{org}"
        started = await running.http.post(f"{path}/qbo-connection/authorisations", headers=auth)
        assert started.status_code == 201, started.text
        target, back = answer_consent(started.json()["authorize_url"], company)
        assert target == REDIRECT_URI
        landed = await running.http.get("/v1/qbo/callback", params=back)
        replayed = await running.http.get("/v1/qbo/callback", params=back)
        shown = (await running.http.get(f"{path}/ledger-connection")).json()
        gone = await running.http.delete(f"{path}/qbo-connection", headers=auth)
        events = await _events(running)
    authorize = urlsplit(started.json()["authorize_url"])
    asked = parse_qs(authorize.query)
    assert asked["scope"] == ["com.intuit.quickbooks.accounting"] and "code_challenge" not in asked
    assert landed.status_code == 200 and 'data-outcome="connected"' in landed.text
    assert "QuickBooks Online is connected" in landed.text and "Maple Supplies Inc" in landed.text
    assert 'data-outcome="state-spent"' in replayed.text
    assert (shown["ledger"], shown["tenant_id"]) == ("qbo", company)
    assert shown["changed_by"] == str(admin)
    assert gone.status_code == 200 and gone.json()["status"] == "disconnected"
    assert gone.json()["intuit_revoked"] is True
    assert [(e["ledger"], e["status"]) for e in events] == [
        ("qbo", "connected"), ("qbo", "disconnected")
    ]  # fmt: skip


async def _stored_refresh_token(running: RunningPublisher, org: uuid.UUID) -> str:
    sealed = await running.runtime.pool.fetchval("SELECT refresh_token FROM xero_connections")
    return Keyring.parse(ENCRYPTION_KEYS).open(sealed, f"publisher:xero-refresh:{org}").decode()


async def _expire(running: RunningPublisher, org: uuid.UUID) -> None:
    """The access token expired, here and in the store's memory: the next use refreshes."""
    await running.runtime.pool.execute(
        "UPDATE xero_connections SET expires_at = now() - interval '1 minute'"
    )
    assert running.parts.tokens is not None
    running.parts.tokens.forget(org)


def _reaches(sandbox: QboSandbox, realm_id: str, access_token: str) -> int:
    """What QBO answers a read of the company's CompanyInfo with this token."""
    return sandbox.http.get(
        f"/v3/company/{realm_id}/companyinfo/{realm_id}",
        params={"minorversion": 75},
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    ).status_code


def _grant(sandbox: QboSandbox, refresh_token: str) -> httpx.Response:
    """A refresh at Intuit's token endpoint, as another holder of the token would do it."""
    return httpx.post(
        f"{sandbox.root}/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
