"""OAuth2 as Xero's identity server does it: 30-minute access tokens, single-use rotating refresh
tokens (a used one is honoured again during a grace period, answering with the same successor
pair), authorization codes minted by tests, and app ↔ tenant connections.

All times are sandbox seconds (see ``clock.py``).
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from countersign_xero_sandbox.clock import SandboxClock
from countersign_xero_sandbox.model import new_id

__all__ = ["AccessGrant", "Connection", "Identity", "TokenError"]

CODE_TTL_S = 300.0
REFRESH_TTL_S = 60 * 24 * 3600.0


class TokenError(Exception):
    """An OAuth2 error answer: 400 ``{"error": code}``."""

    def __init__(self, code: str, description: str = "") -> None:
        super().__init__(description or code)
        self.code = code


@dataclass
class AccessGrant:
    client_id: str
    scope: str
    expires_at: float


@dataclass
class _RefreshGrant:
    client_id: str
    scope: str
    auth_event_id: str
    expires_at: float
    used_at: float | None = None
    successor: dict[str, Any] | None = None


@dataclass
class _CodeGrant:
    client_id: str
    scope: str
    tenant_ids: list[str]
    redirect_uri: str | None
    expires_at: float


@dataclass
class Connection:
    id: str
    client_id: str
    tenant_id: str
    tenant_name: str
    auth_event_id: str
    created: datetime
    updated: datetime


@dataclass
class Identity:
    clock: SandboxClock
    access_ttl_s: float
    refresh_grace_s: float
    clients: dict[str, str] = field(default_factory=dict)
    access: dict[str, AccessGrant] = field(default_factory=dict)
    refresh: dict[str, _RefreshGrant] = field(default_factory=dict)
    codes: dict[str, _CodeGrant] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)

    def register(self, client_id: str, client_secret: str) -> None:
        known = self.clients.setdefault(client_id, client_secret)
        if known != client_secret:
            raise TokenError("invalid_client", "this client id is registered with another secret")

    def connect(self, client_id: str, tenant_id: str, tenant_name: str, event: str) -> None:
        now = self.clock.now()
        for connection in self.connections.values():
            if connection.client_id == client_id and connection.tenant_id == tenant_id:
                connection.updated, connection.auth_event_id = now, event
                return
        connection = Connection(new_id(), client_id, tenant_id, tenant_name, event, now, now)
        self.connections[connection.id] = connection

    def connected(self, client_id: str, tenant_id: str) -> bool:
        return any(
            c.client_id == client_id and c.tenant_id == tenant_id for c in self.connections.values()
        )

    def mint_code(
        self, client_id: str, scope: str, tenant_ids: list[str], redirect_uri: str | None
    ) -> str:
        code = secrets.token_urlsafe(24)
        expires = self.clock.seconds() + CODE_TTL_S
        self.codes[code] = _CodeGrant(client_id, scope, tenant_ids, redirect_uri, expires)
        return code

    def issue(self, client_id: str, scope: str, auth_event_id: str) -> dict[str, Any]:
        now = self.clock.seconds()
        access_token = secrets.token_urlsafe(32)
        refresh_token = secrets.token_urlsafe(32)
        self.access[access_token] = AccessGrant(client_id, scope, now + self.access_ttl_s)
        self.refresh[refresh_token] = _RefreshGrant(
            client_id, scope, auth_event_id, now + REFRESH_TTL_S
        )
        answer: dict[str, Any] = {
            "access_token": access_token,
            "expires_in": int(self.access_ttl_s),
            "token_type": "Bearer",
            "refresh_token": refresh_token,
            "scope": scope,
        }
        if "openid" in scope.split():
            answer["id_token"] = _unsigned_id_token(client_id, auth_event_id, now)
        return answer

    def authenticate_client(self, form: dict[str, str], basic: tuple[str, str] | None) -> str:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if not client_id or self.clients.get(client_id) != secret:
            raise TokenError("invalid_client")
        return client_id

    def exchange(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        client_id = self.authenticate_client(form, basic)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._redeem_code(client_id, form)
        if grant_type == "refresh_token":
            return self._rotate(client_id, form.get("refresh_token", ""))
        raise TokenError("unsupported_grant_type")

    def _redeem_code(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant.client_id != client_id or grant.expires_at < self.clock.seconds():
            raise TokenError("invalid_grant")
        if grant.redirect_uri and form.get("redirect_uri") != grant.redirect_uri:
            raise TokenError("invalid_grant", "redirect_uri does not match")
        event = new_id()
        for tenant_id in grant.tenant_ids:
            self.connect(client_id, tenant_id, "", event)
        return self.issue(client_id, grant.scope, event)

    def _rotate(self, client_id: str, token: str) -> dict[str, Any]:
        grant = self.refresh.get(token)
        now = self.clock.seconds()
        if grant is None or grant.client_id != client_id or grant.expires_at < now:
            raise TokenError("invalid_grant")
        if grant.used_at is not None:
            if now - grant.used_at > self.refresh_grace_s or grant.successor is None:
                raise TokenError("invalid_grant")
            return dict(grant.successor)
        successor = self.issue(client_id, grant.scope, grant.auth_event_id)
        grant.used_at, grant.successor = now, successor
        return dict(successor)

    def grant_for(self, token: str) -> AccessGrant | str:
        """The grant behind a bearer token, or the 401 detail explaining why there is none."""
        grant = self.access.get(token)
        if grant is None:
            return "AuthenticationUnsuccessful"
        if grant.expires_at <= self.clock.seconds():
            when = datetime.fromtimestamp(grant.expires_at).strftime("%m/%d/%Y %H:%M:%S")
            return f"TokenExpired: token expired at {when}"
        return grant


def _unsigned_id_token(client_id: str, event: str, now: float) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"aud": client_id, "iat": int(now), "exp": int(now) + 300, "auth_event_id": event}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
