"""Intuit's OAuth2 state: registered apps, authorization codes, access tokens (1 hour) and
refresh tokens that rotate: a refresh within ``rotate_s`` of the refresh token's issue returns
the same one; later it returns a new one and the old one is superseded (``invalid_grant``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from countersign_xero_sandbox.clock import SandboxClock

__all__ = ["App", "Grant", "OAuthError", "OAuthStore"]

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"


class OAuthError(Exception):
    """An OAuth2 error answer: ``{"error": code}`` with HTTP ``status``."""

    def __init__(self, error: str, status: int = 400, description: str | None = None) -> None:
        super().__init__(error)
        self.error, self.status, self.description = error, status, description


@dataclass
class App:
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)


@dataclass
class Grant:
    """One connection of an app to a realm: its current refresh token and access tokens."""

    client_id: str
    realm_id: str
    scope: str
    refresh_token: str
    refresh_issued: float
    refresh_expires: float
    revoked: bool = False


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    realm_id: str
    scope: str
    expires: float


class OAuthStore:
    def __init__(
        self,
        clock: SandboxClock,
        access_ttl_s: float,
        rotate_s: float,
        refresh_ttl_s: float,
        code_ttl_s: float,
    ) -> None:
        self.clock = clock
        self.access_ttl_s, self.rotate_s = access_ttl_s, rotate_s
        self.refresh_ttl_s, self.code_ttl_s = refresh_ttl_s, code_ttl_s
        self.apps: dict[str, App] = {}
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, tuple[Grant, float]] = {}
        self._refresh: dict[str, Grant] = {}
        self._superseded: set[str] = set()

    def register(self, app: App) -> None:
        self.apps[app.client_id] = app

    def client(self, client_id: str, secret: str) -> App:
        app = self.apps.get(client_id)
        if app is None or not secrets.compare_digest(app.client_secret, secret):
            raise OAuthError("invalid_client", 401)
        return app

    def issue_code(self, client_id: str, redirect_uri: str, realm_id: str, scope: str) -> str:
        code = "AB11" + secrets.token_urlsafe(36)
        expires = self.clock.seconds() + self.code_ttl_s
        self._codes[code] = _Code(client_id, redirect_uri, realm_id, scope, expires)
        return code

    def redeem_code(self, app: App, code: str, redirect_uri: str) -> Grant:
        found = self._codes.pop(code, None)
        if found is None or found.expires <= self.clock.seconds():
            raise OAuthError("invalid_grant")
        if found.client_id != app.client_id or found.redirect_uri != redirect_uri:
            raise OAuthError("invalid_grant")
        return self.connect(app.client_id, found.realm_id, found.scope)

    def connect(self, client_id: str, realm_id: str, scope: str = ACCOUNTING_SCOPE) -> Grant:
        now = self.clock.seconds()
        token = "RT1-" + secrets.token_urlsafe(40)
        grant = Grant(client_id, realm_id, scope, token, now, now + self.refresh_ttl_s)
        self._refresh[token] = grant
        return grant

    def refresh(self, app: App, token: str) -> Grant:
        grant = self._refresh.get(token)
        now = self.clock.seconds()
        if grant is None or grant.revoked or grant.client_id != app.client_id:
            raise OAuthError("invalid_grant")
        if token != grant.refresh_token or grant.refresh_expires <= now:
            raise OAuthError("invalid_grant")
        if now - grant.refresh_issued >= self.rotate_s:
            self._superseded.add(token)
            del self._refresh[token]
            grant.refresh_token = "RT1-" + secrets.token_urlsafe(40)
            grant.refresh_issued = now
            self._refresh[grant.refresh_token] = grant
        # Each use extends the refresh token's life (100 days from now).
        grant.refresh_expires = now + self.refresh_ttl_s
        return grant

    def access_token(self, grant: Grant) -> str:
        token = "eyJ" + secrets.token_urlsafe(48)
        self._access[token] = (grant, self.clock.seconds() + self.access_ttl_s)
        return token

    def token_answer(self, grant: Grant) -> dict[str, object]:
        now = self.clock.seconds()
        return {
            "token_type": "bearer",
            "access_token": self.access_token(grant),
            "expires_in": int(self.access_ttl_s),
            "refresh_token": grant.refresh_token,
            "x_refresh_token_expires_in": int(grant.refresh_expires - now),
        }

    def grant_for(self, access_token: str) -> Grant | None:
        """The grant behind a live access token, or None (unknown, expired or revoked)."""
        found = self._access.get(access_token)
        if found is None:
            return None
        grant, expires = found
        if grant.revoked or expires <= self.clock.seconds():
            return None
        return grant

    def revoke(self, app: App, token: str) -> None:
        """Revoking either token ends the whole connection (Intuit disconnects the app)."""
        grant = self._refresh.get(token)
        if grant is None and token in self._access:
            grant = self._access[token][0]
        if grant is not None and grant.client_id == app.client_id:
            grant.revoked = True
