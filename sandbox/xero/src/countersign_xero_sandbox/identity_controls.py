"""The test-control API's identity side (``/_sandbox/…``, not part of Xero): registering apps
and users, minting codes and tokens without a browser, and the user disconnecting an app.

    POST /_sandbox/clients                      an app with its redirect URIs (developer portal)
    POST /_sandbox/users                        a Xero user (email, password, names) and the
                                                organisations they reach
    POST /_sandbox/authorizations               a code, as if a user had consented
    POST /_sandbox/tokens                       a token set, connections made
    POST /_sandbox/tenants/{tenant_id}/disconnect   the user removes the app in Xero
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from countersign_xero_sandbox import pkce
from countersign_xero_sandbox.clients import (
    MAX_REDIRECT_URIS,
    ClientConflict,
    redirect_uri_problem,
)
from countersign_xero_sandbox.control_answers import bad, json_body
from countersign_xero_sandbox.id_tokens import Person
from countersign_xero_sandbox.identity import TokenError
from countersign_xero_sandbox.model import new_id
from countersign_xero_sandbox.sandbox import Sandbox

__all__ = ["identity_control_routes"]

SCOPE = (
    "openid profile email offline_access accounting.transactions accounting.contacts "
    "accounting.settings accounting.attachments"
)


class _Refused(Exception):
    """A control body the sandbox cannot use: answered 400 with the reason."""


def _text(body: Any, name: str) -> str:
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        raise _Refused(f"{name} must be a non-empty string")
    return value


def _list(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list):
        raise _Refused(f"{name} must be a list")
    return [str(item) for item in value]


def _optional_text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise _Refused(f"{name} must be a non-empty string when given")
    return value.strip() if value is not None else None


def _names(body: dict[str, Any], email: str) -> tuple[str, str]:
    """``given_name`` and ``family_name``, by default from the address: ada.lovelace@… is Ada
    Lovelace, owner@… is Owner User (a Xero user always has both)."""
    words = [w for w in email.split("@")[0].replace("_", ".").replace("-", ".").split(".") if w]
    given = _optional_text(body, "given_name") or (words[0].capitalize() if words else "Xero")
    rest = " ".join(w.capitalize() for w in words[1:])
    return given, _optional_text(body, "family_name") or rest or "User"


def _redirect_uris(body: dict[str, Any]) -> list[str]:
    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not 1 <= len(uris) <= MAX_REDIRECT_URIS:
        raise _Refused(f"redirect_uris must be a list of 1 to {MAX_REDIRECT_URIS} URIs")
    for uri in uris:
        if (problem := redirect_uri_problem(uri)) is not None:
            raise _Refused(problem)
    return [str(uri) for uri in uris]


class _IdentityControls:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def _tenants(self, body: dict[str, Any]) -> list[str]:
        tenant_ids = _list(body, "tenant_ids")
        missing = [t for t in tenant_ids if t not in self.sandbox.tenants]
        if missing:
            raise _Refused(f"unknown tenants: {missing}")
        return tenant_ids

    async def register_client(self, request: Request) -> Response:
        body = await json_body(request)
        try:
            client_id, secret = _text(body, "client_id"), _text(body, "client_secret")
            uris = _redirect_uris(body)
            name = body.get("name")
            client = self.sandbox.identity.clients.register_app(
                client_id, secret, uris, str(name) if name else None
            )
        except _Refused as exc:
            return bad(str(exc))
        except ClientConflict as exc:
            return bad(str(exc), 409)
        view = {"client_id": client.client_id, "name": client.name}
        return JSONResponse({**view, "redirect_uris": client.redirect_uris}, status_code=201)

    async def add_user(self, request: Request) -> Response:
        body = await json_body(request)
        try:
            email, password = _text(body, "email"), _text(body, "password")
            tenant_ids = self._tenants(body)
            given, family = _names(body, email)
        except _Refused as exc:
            return bad(str(exc))
        user = self.sandbox.consent.add_user(email, password, tenant_ids)
        person = Person(user.user_id, user.email, given, family)
        self.sandbox.identity.people[user.user_id] = person
        view = {"user_id": user.user_id, "email": user.email, "tenant_ids": user.tenant_ids}
        names = {"given_name": given, "family_name": family}
        return JSONResponse({**view, **names}, status_code=201)

    async def _grant(self, request: Request) -> tuple[str, str, list[str], dict[str, Any]]:
        """Registers the client a grant names; its client id, scope, tenants and the body."""
        body = await json_body(request)
        tenant_ids = self._tenants(body)
        if body.get("client_id") in (None, ""):
            raise _Refused("client_id is required")
        client_id = str(body["client_id"])
        try:
            self.sandbox.identity.register(client_id, str(body.get("client_secret", "")))
        except TokenError as exc:
            raise _Refused(str(exc)) from exc
        return client_id, str(body.get("scope", SCOPE)), tenant_ids, body

    async def authorize(self, request: Request) -> Response:
        try:
            client_id, scope, tenant_ids, body = await self._grant(request)
            challenge = body.get("code_challenge")
            if challenge is not None and not (
                isinstance(challenge, str) and pkce.well_formed(challenge)
            ):
                raise _Refused("code_challenge must be 43 to 128 unreserved characters (S256)")
        except _Refused as exc:
            return bad(str(exc))
        identity = self.sandbox.identity
        redirect = body.get("redirect_uri")
        nonce = body.get("nonce")
        code = identity.mint_code(
            client_id,
            scope,
            tenant_ids,
            redirect,
            code_challenge=challenge,
            nonce=str(nonce) if nonce is not None else None,
        )
        return JSONResponse({"code": code})

    async def tokens(self, request: Request) -> Response:
        try:
            client_id, scope, tenant_ids, _ = await self._grant(request)
        except _Refused as exc:
            return bad(str(exc))
        identity = self.sandbox.identity
        event = new_id()
        for tenant_id in tenant_ids:
            name = self.sandbox.tenants[tenant_id].organisation["Name"]
            identity.connect(client_id, tenant_id, name, event)
        answer = identity.issue(client_id, scope, event)
        expires = identity.access[answer["access_token"]].expires_at
        answer["expires_at"] = self.sandbox.clock.real_deadline(expires)
        return JSONResponse(answer)

    async def disconnect(self, request: Request) -> Response:
        tenant_id = request.path_params["tenant_id"]
        if tenant_id not in self.sandbox.tenants:
            return bad("no such tenant", 404)
        try:
            client_id = _text(await json_body(request), "client_id")
        except _Refused as exc:
            return bad(str(exc))
        identity = self.sandbox.identity
        found = identity.connections.of_tenant(client_id, tenant_id)
        if not found:
            return bad(f"tenant {tenant_id} is not connected to {client_id}", 404)
        removed = identity.disconnect(found)
        return JSONResponse({"removed": [c.id for c in removed]})


def identity_control_routes(sandbox: Sandbox) -> list[Route]:
    c = _IdentityControls(sandbox)
    return [
        Route("/_sandbox/clients", c.register_client, methods=["POST"]),
        Route("/_sandbox/users", c.add_user, methods=["POST"]),
        Route("/_sandbox/authorizations", c.authorize, methods=["POST"]),
        Route("/_sandbox/tokens", c.tokens, methods=["POST"]),
        Route("/_sandbox/tenants/{tenant_id}/disconnect", c.disconnect, methods=["POST"]),
    ]
