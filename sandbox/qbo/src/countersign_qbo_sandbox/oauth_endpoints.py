"""Intuit's OAuth2 endpoints: the discovery document, the authorize page (consent and the
choice of company; the redirect carries code, state and realmId), the token endpoint
(authorization_code, refresh_token), revocation, userinfo and an empty key set."""

from __future__ import annotations

import base64
import binascii
import html
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from countersign_qbo_sandbox.oauth import ACCOUNTING_SCOPE, App, OAuthError
from countersign_qbo_sandbox.sandbox import Sandbox
from countersign_qbo_sandbox.wire import loads

__all__ = ["oauth_routes"]

AUTHORIZE_PATH = "/connect/oauth2"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/v2/oauth2/tokens/revoke"


def discovery(sandbox: Sandbox) -> dict[str, Any]:
    base = sandbox.settings.base_url
    return {
        "issuer": f"{base}/op/v1",
        "authorization_endpoint": f"{base}{AUTHORIZE_PATH}",
        "token_endpoint": f"{base}{TOKEN_PATH}",
        "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
        "revocation_endpoint": f"{base}{REVOKE_PATH}",
        "jwks_uri": f"{base}/op/v1/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": [
            "openid",
            "email",
            "profile",
            "address",
            "phone",
            ACCOUNTING_SCOPE,
            "com.intuit.quickbooks.payment",
        ],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }


def _error(exc: OAuthError) -> JSONResponse:
    body = {"error": exc.error}
    if exc.description:
        body["error_description"] = exc.description
    return JSONResponse(body, status_code=exc.status)


def _basic(sandbox: Sandbox, request: Request) -> App:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client", 401) from exc
    if scheme.lower() != "basic":
        raise OAuthError("invalid_client", 401)
    return sandbox.oauth.client(client_id, secret)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}"
        f"</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )


def _authorize_checks(sandbox: Sandbox, params: Any) -> App:
    app = sandbox.oauth.apps.get(params.get("client_id", ""))
    if app is None:
        raise OAuthError("invalid_client")
    if params.get("redirect_uri") not in app.redirect_uris:
        raise OAuthError("invalid_request", description="redirect_uri is not registered")
    if params.get("response_type") != "code":
        raise OAuthError("unsupported_response_type")
    scopes = set(params.get("scope", "").split())
    if not scopes & {ACCOUNTING_SCOPE, "com.intuit.quickbooks.payment", "openid"}:
        raise OAuthError("invalid_scope")
    return app


async def well_known(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    return JSONResponse(discovery(sandbox))


async def authorize(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    params = request.query_params
    try:
        _authorize_checks(sandbox, params)
    except OAuthError as exc:
        return _page("Something went wrong", f"<p>{html.escape(exc.error)}</p>", 400)
    hidden = "".join(
        f'<input type=hidden name="{k}" value="{html.escape(params.get(k, ""))}">'
        for k in ("client_id", "redirect_uri", "scope", "state")
    )
    choices = "".join(
        f'<label><input type=radio name=realm_id value="{r.realm_id}"'
        f"{' checked' if i == 0 else ''}>"
        f"{html.escape(r.name)} ({r.country})</label><br>"
        for i, r in enumerate(sandbox.realms.values())
    )
    form = (
        f'<form method=post action="{AUTHORIZE_PATH}/consent">{hidden}'
        f"<p>{html.escape(params['client_id'])} wants to connect to a company.</p>{choices}"
        "<button name=decision value=connect>Connect</button> "
        "<button name=decision value=cancel>Cancel</button></form>"
    )
    return _page("Connect to QuickBooks", form)


async def consent(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    form = await request.form()
    fields = {
        k: str(form.get(k, ""))
        for k in ("client_id", "redirect_uri", "scope", "state", "realm_id", "decision")
    }
    try:
        app = _authorize_checks(sandbox, {**fields, "response_type": "code"})
    except OAuthError as exc:
        return _page("Something went wrong", f"<p>{html.escape(exc.error)}</p>", 400)
    target = fields["redirect_uri"]
    if fields["decision"] != "connect" or fields["realm_id"] not in sandbox.realms:
        query = {"error": "access_denied", "state": fields["state"]}
        return RedirectResponse(f"{target}?{urlencode(query)}", status_code=302)
    code = sandbox.oauth.issue_code(app.client_id, target, fields["realm_id"], fields["scope"])
    query = {"code": code, "state": fields["state"], "realmId": fields["realm_id"]}
    return RedirectResponse(f"{target}?{urlencode(query)}", status_code=302)


async def token(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    form = await request.form()
    try:
        app = _basic(sandbox, request)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            grant = sandbox.oauth.redeem_code(
                app, str(form.get("code", "")), str(form.get("redirect_uri", ""))
            )
        elif grant_type == "refresh_token":
            grant = sandbox.oauth.refresh(app, str(form.get("refresh_token", "")))
        else:
            raise OAuthError("unsupported_grant_type")
    except OAuthError as exc:
        return _error(exc)
    return JSONResponse(sandbox.oauth.token_answer(grant))


async def revoke(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    try:
        app = _basic(sandbox, request)
        body = loads(await request.body())
    except OAuthError as exc:
        return _error(exc)
    except ValueError:
        return _error(OAuthError("invalid_request"))
    if not isinstance(body, dict) or not body.get("token"):
        return _error(OAuthError("invalid_request"))
    sandbox.oauth.revoke(app, str(body["token"]))
    return Response(b"", status_code=200)


async def userinfo(request: Request) -> Response:
    return JSONResponse(
        {
            "sub": "sandbox-user",
            "email": "sandbox@example.com",
            "emailVerified": True,
            "givenName": "Sandbox",
            "familyName": "User",
        }
    )


async def jwks(request: Request) -> Response:
    return JSONResponse({"keys": []})


def oauth_routes() -> list[Route]:
    return [
        Route("/.well-known/openid_sandbox_configuration", well_known),
        Route("/.well-known/openid_sandbox_configuration/", well_known),
        Route("/.well-known/openid_configuration", well_known),
        Route("/.well-known/openid_configuration/", well_known),
        Route(AUTHORIZE_PATH, authorize),
        Route(f"{AUTHORIZE_PATH}/consent", consent, methods=["POST"]),
        Route(TOKEN_PATH, token, methods=["POST"]),
        Route(REVOKE_PATH, revoke, methods=["POST"]),
        Route("/v1/openid_connect/userinfo", userinfo),
        Route("/op/v1/jwks", jwks),
    ]
