"""OAuth2 as Xero's identity server does it: 30-minute access tokens, single-use rotating refresh
tokens (a used one is honoured again during a grace period, answering with the same successor
pair), single-use authorization codes (from the consent page or minted by tests), PKCE (S256) on
codes issued with a challenge, revocation, and the app ↔ tenant connections tokens reach. Tokens
are signed JWTs (``id_tokens.py``); a code remembers the sign-in and the ``nonce`` its ID token
will carry.

    authorize ─▶ code (5 min, single use) ─▶ /connect/token ─▶ access (30 min) + refresh
                                                   │                 │
                               one auth event, one connection        └─▶ rotate (grace)
                               per chosen tenant (none when the      ─▶ gone with its last
                               scopes only sign the user in)            connection, or revoked

All times are sandbox seconds (see ``clock.py``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from countersign_xero_sandbox import pkce
from countersign_xero_sandbox.clients import ClientConflict, Clients
from countersign_xero_sandbox.clock import SandboxClock
from countersign_xero_sandbox.connections import ANONYMOUS, Connection, Connections
from countersign_xero_sandbox.id_tokens import Person, SignIn, TokenMinter
from countersign_xero_sandbox.model import new_id

__all__ = ["AccessGrant", "CodeGrant", "Identity", "TokenError"]

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
    user_id: str = ANONYMOUS


@dataclass
class _RefreshGrant:
    client_id: str
    scope: str
    auth_event_id: str
    expires_at: float
    sign_in: SignIn
    user_id: str = ANONYMOUS
    used_at: float | None = None
    successor: dict[str, Any] | None = None


@dataclass
class CodeGrant:
    client_id: str
    scope: str
    tenant_ids: list[str]
    redirect_uri: str | None
    expires_at: float
    sign_in: SignIn
    user_id: str = ANONYMOUS
    code_challenge: str | None = None
    nonce: str | None = None


@dataclass
class Identity:
    clock: SandboxClock
    access_ttl_s: float
    refresh_grace_s: float
    minter: TokenMinter
    clients: Clients = field(default_factory=Clients)
    people: dict[str, Person] = field(default_factory=dict)  # user id → who the tokens name
    access: dict[str, AccessGrant] = field(default_factory=dict)
    refresh: dict[str, _RefreshGrant] = field(default_factory=dict)
    codes: dict[str, CodeGrant] = field(default_factory=dict)
    connections: Connections = field(default_factory=Connections)

    def register(self, client_id: str, client_secret: str) -> None:
        try:
            self.clients.register(client_id, client_secret)
        except ClientConflict as exc:
            raise TokenError("invalid_client", str(exc)) from exc

    def connect(
        self, client_id: str, tenant_id: str, tenant_name: str, event: str, user_id: str = ANONYMOUS
    ) -> None:
        now = self.clock.now()
        self.connections.connect(client_id, user_id, tenant_id, tenant_name, event, now)

    def connected(self, client_id: str, tenant_id: str, user_id: str = ANONYMOUS) -> bool:
        return self.connections.reaches(client_id, user_id, tenant_id)

    def mint_code(
        self,
        client_id: str,
        scope: str,
        tenant_ids: list[str],
        redirect_uri: str | None,
        user_id: str = ANONYMOUS,
        code_challenge: str | None = None,
        sign_in: SignIn | None = None,
        nonce: str | None = None,
    ) -> str:
        code = secrets.token_urlsafe(24)
        now = self.clock.seconds()
        self.codes[code] = CodeGrant(
            client_id,
            scope,
            list(tenant_ids),
            redirect_uri,
            now + CODE_TTL_S,
            sign_in or SignIn.at(now),
            user_id,
            code_challenge,
            nonce,
        )
        return code

    def issue(
        self,
        client_id: str,
        scope: str,
        auth_event_id: str,
        user_id: str = ANONYMOUS,
        sign_in: SignIn | None = None,
        nonce: str | None = None,
    ) -> dict[str, Any]:
        """A token set; an ID token too when ``scope`` has ``openid`` (``nonce`` only in the
        one answering a code, OIDC Core §12.2)."""
        now = self.clock.seconds()
        sign_in = sign_in or SignIn.at(now)
        person = self.people.get(user_id)
        access_token = self.minter.access_token(
            client_id, scope, auth_event_id, person, sign_in, now, self.access_ttl_s
        )
        refresh_token = secrets.token_urlsafe(32)
        self.access[access_token] = AccessGrant(client_id, scope, now + self.access_ttl_s, user_id)
        self.refresh[refresh_token] = _RefreshGrant(
            client_id, scope, auth_event_id, now + REFRESH_TTL_S, sign_in, user_id
        )
        answer: dict[str, Any] = {
            "access_token": access_token,
            "expires_in": int(self.access_ttl_s),
            "token_type": "Bearer",
            "refresh_token": refresh_token,
            "scope": scope,
        }
        if "openid" in scope.split():
            answer["id_token"] = self.minter.id_token(
                client_id, scope, person, sign_in, now, access_token, nonce
            )
        return answer

    def authenticate_client(self, form: dict[str, str], basic: tuple[str, str] | None) -> str:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if not self.clients.authenticate(client_id, secret):
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
        # Popped first: a code is spent by any attempt, a refused one included.
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant.client_id != client_id or grant.expires_at < self.clock.seconds():
            raise TokenError("invalid_grant")
        if grant.redirect_uri and form.get("redirect_uri") != grant.redirect_uri:
            raise TokenError("invalid_grant", "redirect_uri does not match")
        verifier = form.get("code_verifier")
        if grant.code_challenge is not None and not pkce.verifies(grant.code_challenge, verifier):
            raise TokenError("invalid_grant", "code_verifier does not match the code_challenge")
        if grant.code_challenge is None and verifier is not None:
            raise TokenError("invalid_grant", "a code_verifier for a code issued without PKCE")
        event = new_id()
        for tenant_id in grant.tenant_ids:
            self.connect(client_id, tenant_id, "", event, grant.user_id)
        return self.issue(client_id, grant.scope, event, grant.user_id, grant.sign_in, grant.nonce)

    def _rotate(self, client_id: str, token: str) -> dict[str, Any]:
        grant = self.refresh.get(token)
        now = self.clock.seconds()
        if grant is None or grant.client_id != client_id or grant.expires_at < now:
            raise TokenError("invalid_grant")
        if grant.used_at is not None:
            if now - grant.used_at > self.refresh_grace_s or grant.successor is None:
                raise TokenError("invalid_grant")
            return dict(grant.successor)
        successor = self.issue(
            client_id, grant.scope, grant.auth_event_id, grant.user_id, grant.sign_in
        )
        grant.used_at, grant.successor = now, successor
        return dict(successor)

    def revoke(self, client_id: str, token: str) -> list[Connection]:
        """``POST /connect/revocation``: the refresh token's user's grant to the app ends. A
        sandbox user loses every connection of the app and every refresh token of theirs; a
        control-API authorisation (no sandbox user) loses its own connections and tokens."""
        grant = self.refresh.get(token)
        if grant is None or grant.client_id != client_id:
            return []  # RFC 7009 §2.2: an unknown token is answered 200 all the same
        if grant.user_id == ANONYMOUS:
            events = {grant.auth_event_id}
            removed = [
                c
                for c in self.connections.of(client_id, ANONYMOUS)
                if c.auth_event_id == grant.auth_event_id
            ]
        else:
            events = {
                g.auth_event_id
                for g in self.refresh.values()
                if g.client_id == client_id and g.user_id == grant.user_id
            }
            removed = self.connections.of(client_id, grant.user_id)
        self._forget(events)
        return self.disconnect(removed)

    def disconnect(self, removed: list[Connection]) -> list[Connection]:
        """Removes connections; an authorisation left without any connection loses its refresh
        tokens (refreshing then answers ``invalid_grant``)."""
        self._forget(self.connections.remove(removed))
        return removed

    def _forget(self, events: set[str]) -> None:
        for token in [t for t, g in self.refresh.items() if g.auth_event_id in events]:
            del self.refresh[token]

    def grant_for(self, token: str) -> AccessGrant | str:
        """The grant behind a bearer token, or the 401 detail explaining why there is none."""
        grant = self.access.get(token)
        if grant is None:
            return "AuthenticationUnsuccessful"
        if grant.expires_at <= self.clock.seconds():
            when = datetime.fromtimestamp(grant.expires_at).strftime("%m/%d/%Y %H:%M:%S")
            return f"TokenExpired: token expired at {when}"
        return grant
