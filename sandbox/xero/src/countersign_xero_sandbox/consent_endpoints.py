"""The browser side of Xero's identity server (login.xero.com):

    GET  /identity/connect/authorize   check the request; the login page, or the consent page
                                       when the browser's session cookie names a user (straight
                                       back to the app when it asks to sign in only, as before)
    POST /identity/login               email + password → session cookie and the consent page
    POST /identity/consent             allow → 302 redirect_uri?code&scope&state
                                       cancel → 302 redirect_uri?error=access_denied&state

The pages are in ``consent_pages.py``, the rules in ``authorize_request.py`` and ``consent.py``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from countersign_xero_sandbox.authorize_request import ErrorPage, Redirect, check_authorize
from countersign_xero_sandbox.consent import Pending, SandboxUser, allow, deny
from countersign_xero_sandbox.consent_pages import (
    CONSENT_PATH,
    LOGIN_PATH,
    Organisation,
    consent_page,
    error_page,
    login_page,
)
from countersign_xero_sandbox.id_tokens import SignIn, signs_in_only
from countersign_xero_sandbox.sandbox import Sandbox

__all__ = ["AUTHORIZE_PATH", "SESSION_COOKIE", "consent_routes"]

SESSION_COOKIE = "xero_sandbox_session"
AUTHORIZE_PATH = "/identity/connect/authorize"
# Pages are not cached and not framed (RFC 6749 §10.13, clickjacking).
_PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}
_EXPIRED = ErrorPage(
    "invalid_request", "This sign-in has expired; go back to the app and start again"
)


def _html(page: str, status: int = 200) -> Response:
    return HTMLResponse(page, status_code=status, headers=_PAGE_HEADERS)


def _redirect(location: str) -> Response:
    return RedirectResponse(location, status_code=302, headers={"Cache-Control": "no-store"})


async def _form(request: Request) -> list[tuple[str, str]]:
    return parse_qsl((await request.body()).decode(), keep_blank_values=True)


class _Pages:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def consent(self, pending: Pending, user: SandboxUser, message: str | None = None) -> Response:
        client = pending.request.client
        connections = self.sandbox.identity.connections.of(client.client_id, user.user_id)
        connected = {c.tenant_id for c in connections}
        tenants = self.sandbox.tenants
        organisations = None  # signing in only: no organisation to choose
        if not signs_in_only(pending.request.scope):
            organisations = [
                Organisation(t, tenants[t].organisation["Name"], t in connected)
                for t in user.tenant_ids
                if t in tenants
            ]
        page = consent_page(
            pending.pending_id,
            (client.name, client.client_id),
            pending.request.scope,
            user.email,
            organisations,
            message,
        )
        return _html(page)

    def login(self, pending: Pending, message: str | None = None) -> Response:
        return _html(login_page(pending.pending_id, pending.request.client.name, message))

    def signed_in(self, request: Request) -> tuple[SandboxUser, SignIn] | None:
        return self.sandbox.consent.signed_in(request.cookies.get(SESSION_COOKIE))

    def consent_or_back(self, pending: Pending, user: SandboxUser) -> Response:
        """The consent page, unless the user allowed this sign-in to the app before."""
        if not self.sandbox.consent.asks_nothing(pending, user):
            return self.consent(pending, user)
        location = allow(self.sandbox.identity, pending, user, [])
        assert location is not None  # signing in only chooses no organisation
        self.sandbox.consent.close(pending)
        return _redirect(location)

    async def authorize(self, request: Request) -> Response:
        checked = check_authorize(request.query_params.multi_items(), self.sandbox.identity.clients)
        if isinstance(checked, ErrorPage):
            return _html(error_page(checked.error, checked.description), 400)
        if isinstance(checked, Redirect):
            return _redirect(checked.location)
        found = self.signed_in(request)
        if found is None:
            return self.login(self.sandbox.consent.begin(checked, None))
        user, sign_in = found
        return self.consent_or_back(self.sandbox.consent.begin(checked, user, sign_in), user)

    async def log_in(self, request: Request) -> Response:
        form = dict(await _form(request))
        pending = self.sandbox.consent.waiting(form.get("pending"))
        if pending is None:
            return _html(error_page(_EXPIRED.error, _EXPIRED.description), 400)
        found = self.sandbox.consent.log_in(form.get("email", ""), form.get("password", ""))
        if found is None:
            return self.login(pending, "Your email or password is incorrect")
        session_id, user, sign_in = found
        pending.user_id, pending.sign_in = user.user_id, sign_in
        response = self.consent_or_back(pending, user)
        response.set_cookie(SESSION_COOKIE, session_id, path="/", httponly=True, samesite="lax")
        return response

    async def decide(self, request: Request) -> Response:
        pairs = await _form(request)
        form = dict(pairs)
        consent = self.sandbox.consent
        pending = consent.waiting(form.get("pending"))
        if pending is None:
            return _html(error_page(_EXPIRED.error, _EXPIRED.description), 400)
        found = self.signed_in(request)
        if found is None or found[0].user_id != pending.user_id:
            return self.login(pending, "Log in to continue")
        user = found[0]
        if form.get("action") == "cancel":
            consent.close(pending)
            return _redirect(deny(pending))
        ticked = [value for name, value in pairs if name == "tenant_id"]
        location = allow(self.sandbox.identity, pending, user, ticked)
        if location is None:
            return self.consent(pending, user, "Choose at least one organisation to connect")
        consent.remember(pending, user)
        consent.close(pending)
        return _redirect(location)


def consent_routes(sandbox: Sandbox) -> list[Route]:
    pages = _Pages(sandbox)
    return [
        Route(AUTHORIZE_PATH, pages.authorize, methods=["GET"]),
        Route(LOGIN_PATH, pages.log_in, methods=["POST"]),
        Route(CONSENT_PATH, pages.decide, methods=["POST"]),
    ]
