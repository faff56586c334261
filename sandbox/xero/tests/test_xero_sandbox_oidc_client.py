"""An OpenID Connect client nobody here wrote (authlib) signs a person in with the Xero sandbox
as its provider, end to end over real HTTP:

    browser ─▶ app /login ─ authlib: discovery, authorize URL (state, nonce, PKCE S256)
            ─▶ sandbox login and consent pages (the harness's form browser)
            ─▶ app /callback ─ authlib: code → tokens, ID token checked by authlib (signature
                                against the discovered key set, iss, aud, exp, nonce, at_hash),
                                userinfo
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from html import escape
from typing import Any

import httpx
import pytest
from countersign_harness.browser import Browser
from countersign_harness.serving import served_over_http
from countersign_xero_sandbox.harness import control, serve
from countersign_xero_sandbox.settings import SandboxSettings
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from joserfc.errors import JoseError

from sandbox.xero.tests.oidc_flow import EMAIL, IDENTITY_SCOPE, register, sign_in

with warnings.catch_warnings():
    # authlib warns that it will move from httpx to a successor package; it still uses httpx.
    # Its own module puts an "always" filter first on import, so the ignore goes after that.
    import authlib.deprecate  # noqa: F401

    warnings.filterwarnings("ignore", "The httpx module is deprecated", DeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with serve(SandboxSettings(limits_enabled=False)) as url:
        yield url


@dataclass
class RelyingParty:
    """A web app signing people in with "Sign in with Xero", authlib doing the protocol."""

    client: StarletteOAuth2App
    started: dict[str, dict[str, Any]] = field(default_factory=dict)  # state → nonce, verifier
    tokens: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/login")
        async def login(request: Request) -> RedirectResponse:
            redirect_uri = f"{request.base_url}callback"
            found = await self.client.create_authorization_url(redirect_uri=redirect_uri)
            self.started[found["state"]] = {**found, "redirect_uri": redirect_uri}
            return RedirectResponse(found["url"], status_code=302)

        @app.get("/callback")
        async def callback(code: str, state: str) -> HTMLResponse:
            started = self.started.pop(state)  # a state this app never sent is a KeyError: 500
            token = await self.client.fetch_access_token(
                redirect_uri=started["redirect_uri"],
                code=code,
                code_verifier=started["code_verifier"],
            )
            self.tokens.append(token)
            user = await self.client.parse_id_token(token, nonce=started["nonce"])
            info = await self.client.userinfo(token=token)
            attributes = {"sub": user["sub"], "email": user["email"], "userinfo-sub": info["sub"]}
            data = " ".join(f'data-{k}="{escape(str(v))}"' for k, v in attributes.items())
            return HTMLResponse(f'<p id="outcome" data-outcome="signed-in" {data}></p>')

        return app


def _client(issuer: str, client_id: str, secret: str, auth_method: str) -> StarletteOAuth2App:
    oauth = OAuth()
    client: StarletteOAuth2App = oauth.register(
        "xero",
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": IDENTITY_SCOPE,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": auth_method,
        },
    )
    return client


@pytest.fixture(name="browser")
async def browser_fixture() -> AsyncIterator[Browser]:
    browser = Browser()
    yield browser
    await browser.aclose()


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
async def test_xero_sandbox_signs_a_person_in_to_an_authlib_app(
    sandbox_url: str, browser: Browser, auth_method: str
) -> None:
    control(sandbox_url, "POST", "/_sandbox/reset")
    party = RelyingParty(_client(sandbox_url, "countersign-web", "web-secret", auth_method))
    async with served_over_http(party.app()) as app_root:
        registered = register(sandbox_url, f"{app_root}/callback")
        page = await sign_in(browser, f"{app_root}/login", [])
        outcome = page.element("outcome")
        assert outcome["data-outcome"] == "signed-in", page.html
        assert outcome["data-email"] == EMAIL
        assert outcome["data-sub"] == outcome["data-userinfo-sub"]
        assert outcome["data-sub"] == registered.user_id.replace("-", "")
        # authlib's own checks refuse the same ID token for another sign-in's nonce.
        with pytest.raises(JoseError):
            await party.client.parse_id_token(party.tokens[0], nonce="someone-elses")
    bearer = {"Authorization": f"Bearer {party.tokens[0]['access_token']}"}
    async with httpx.AsyncClient() as http:
        connections = await http.get(f"{sandbox_url}/connections", headers=bearer)
    assert connections.json() == []  # signing in connects no organisation
