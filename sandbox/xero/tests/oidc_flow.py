"""What the Xero sandbox's OpenID Connect tests share: an app's callback served over real HTTP
(it echoes the query it is sent back with, as JSON), the app and a user registered with the
sandbox, and a person's browser going through Xero's login and consent pages."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from countersign_harness.browser import Browser, Page
from countersign_xero_sandbox.harness import control
from fastapi import FastAPI, Request

__all__ = [
    "EMAIL",
    "IDENTITY_SCOPE",
    "PASSWORD",
    "App",
    "echo_callback",
    "echoed",
    "pkce",
    "register",
    "sign_in",
]

CLIENT_ID, SECRET = "countersign-web", "web-secret"
EMAIL, PASSWORD = "ada.lovelace@acme.example", "correct horse"
IDENTITY_SCOPE = "openid profile email"


def echo_callback() -> FastAPI:
    app = FastAPI()

    @app.get("/callback")
    async def callback(request: Request) -> dict[str, str]:
        return dict(request.query_params)

    return app


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class App:
    root: str  # the sandbox: the issuer
    redirect_uri: str
    user_id: str
    tenant_id: str
    client_id: str = CLIENT_ID
    secret: str = SECRET


def register(root: str, redirect_uri: str) -> App:
    """The app with its redirect URI, and Ada, a Xero user in one organisation."""
    body = {"client_id": CLIENT_ID, "client_secret": SECRET, "redirect_uris": [redirect_uri]}
    control(root, "POST", "/_sandbox/clients", {**body, "name": "Countersign"})
    tenant_id = control(root, "POST", "/_sandbox/tenants", {"name": "Acme Ltd"})["tenant_id"]
    user = {"email": EMAIL, "password": PASSWORD, "tenant_ids": [tenant_id]}
    made = control(root, "POST", "/_sandbox/users", user)
    return App(root, redirect_uri, made["user_id"], tenant_id)


async def sign_in(browser: Browser, authorize_url: str, tenant_ids: list[str]) -> Page:
    """Through whichever of Xero's pages come (login, consent), allowing; the page the browser
    lands on at the end."""
    page = await browser.open(authorize_url)
    if "login-form" in page.forms:
        fill: dict[str, str | list[str]] = {"email": EMAIL, "password": PASSWORD}
        page = await browser.submit(page, "login-form", fill, "login")
    if "consent-form" in page.forms:
        page = await browser.submit(page, "consent-form", {"tenant_id": tenant_ids}, "allow")
    return page


def echoed(page: Page) -> dict[str, Any]:
    """The query the app's callback was sent back with."""
    assert page.status == 200, page.html
    answer: dict[str, Any] = json.loads(page.html)
    return answer
