""" "Sign in with Xero" end to end with the two real parts (ADR 0048): the Xero sandbox as the
OpenID Connect provider (its login and consent pages, a browser through them, PKCE, nonce) and
approval verifying the ID token against the sandbox's published keys and opening a session for
the user with that address — the web app's part done here by the test, as a client would."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlencode

import httpx
import pytest
from countersign_harness.approval import ApprovalHarness, running_approval
from countersign_harness.browser import Browser
from countersign_harness.infra import Infrastructure
from countersign_harness.serving import served_over_http
from countersign_xero_sandbox.harness import control, serve
from countersign_xero_sandbox.settings import SandboxSettings

from sandbox.xero.tests.oidc_flow import (
    EMAIL,
    IDENTITY_SCOPE,
    App,
    echo_callback,
    echoed,
    pkce,
    register,
    sign_in,
)
from tests.integration.test_approval_sign_in import AS_WEB, CLIENTS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with serve(SandboxSettings(limits_enabled=False)) as url:
        yield url


@pytest.fixture
async def app(sandbox_url: str) -> AsyncIterator[App]:
    control(sandbox_url, "POST", "/_sandbox/reset")
    async with served_over_http(echo_callback()) as callback_root:
        yield register(sandbox_url, f"{callback_root}/callback")


@pytest.fixture
async def approval(
    infra: Infrastructure, isolation: str, sandbox_url: str, app: App
) -> AsyncIterator[ApprovalHarness]:
    settings = {"oidc_issuer": sandbox_url, "oidc_client_id": app.client_id}
    async with running_approval(infra, isolation, clients=CLIENTS, **settings) as running:
        yield running


async def _id_token(app: App, nonce: str) -> str:
    """A person signs in at Xero through its pages; the app redeems the code (PKCE)."""
    verifier, challenge = pkce()
    params = {
        "response_type": "code", "client_id": app.client_id, "redirect_uri": app.redirect_uri,
        "scope": IDENTITY_SCOPE, "state": secrets.token_urlsafe(16), "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    }  # fmt: skip
    browser = Browser()
    try:
        landed = await sign_in(
            browser, f"{app.root}/identity/connect/authorize?{urlencode(params)}", []
        )
    finally:
        await browser.aclose()
    back = echoed(landed)
    assert back["state"] == params["state"], back
    form = {"grant_type": "authorization_code", "code": back["code"],
            "redirect_uri": app.redirect_uri, "code_verifier": verifier}  # fmt: skip
    async with httpx.AsyncClient() as http:
        tokens = await http.post(
            f"{app.root}/connect/token", data=form, auth=(app.client_id, app.secret)
        )
    assert tokens.status_code == 200, tokens.text
    id_token: str = tokens.json()["id_token"]
    return id_token


async def test_a_person_signed_in_at_xero_gets_a_session_for_their_address(
    approval: ApprovalHarness, app: App
) -> None:
    org = await approval.register(users=[(EMAIL, ["approver"])])
    nonce = secrets.token_urlsafe(24)
    id_token = await _id_token(app, nonce)
    body = {"id_token": id_token, "nonce": nonce}
    opened = await approval.http.post("/sign-in/oidc", json=body, headers=AS_WEB)
    again = await approval.http.post("/sign-in/oidc", json=body, headers=AS_WEB)

    assert opened.status_code == 201, opened.text
    session = opened.json()
    assert (session["organisation_id"], session["email"], session["method"]) == (
        str(org.organisation_id),
        EMAIL,
        "oidc",
    )
    assert again.status_code == 403  # an ID token is taken once


async def test_an_id_token_for_another_sign_in_or_app_is_refused(
    approval: ApprovalHarness, app: App, sandbox_url: str
) -> None:
    await approval.register(users=[(EMAIL, ["approver"])])
    nonce = secrets.token_urlsafe(24)
    id_token = await _id_token(app, nonce)
    other_nonce = {"id_token": id_token, "nonce": secrets.token_urlsafe(24)}
    refused = await approval.http.post("/sign-in/oidc", json=other_nonce, headers=AS_WEB)
    control(sandbox_url, "POST", "/_sandbox/clients",
            {"client_id": "another-app", "client_secret": "s3cret-other",
             "redirect_uris": [app.redirect_uri], "name": "Another app"})  # fmt: skip
    other_app = App(app.root, app.redirect_uri, app.user_id, app.tenant_id, "another-app",
                    "s3cret-other")  # fmt: skip
    foreign = await _id_token(other_app, nonce)
    for_other = await approval.http.post(
        "/sign-in/oidc", json={"id_token": foreign, "nonce": nonce}, headers=AS_WEB
    )

    assert refused.status_code == 403 and "nonce" in refused.json()["detail"]
    assert for_other.status_code == 403
