"""What login.xero.com holds between the authorize request and the redirect back to the app:
its users, their browser sessions, and the authorisations waiting for a login or a consent.

    authorize ─▶ pending (10 min) ─▶ login ─▶ session (cookie) ─▶ consent ─┬▶ allow: code
                           └──────── session already there ──────▶ consent ─┴▶ cancel: access_denied

Allowing connects the organisations ticked plus those the user already connected to the app
(Xero's FAQ: an organisation connected before "will show as already connected the second time"
and the user can "click through as normal to be redirected back to your app with a new code").

A request for identity scopes only (``openid profile email offline_access``: "Sign in with
Xero") has no organisation to choose and connects none: the consent page asks once, and a user
who allowed those scopes to the app goes straight back to it with a code afterwards.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from countersign_xero_sandbox.authorize_request import AuthorizeRequest, with_query
from countersign_xero_sandbox.clock import SandboxClock
from countersign_xero_sandbox.id_tokens import SignIn, signs_in_only
from countersign_xero_sandbox.identity import Identity
from countersign_xero_sandbox.model import new_id

__all__ = ["Consent", "Pending", "SandboxUser", "allow", "deny"]

PENDING_TTL_S = 600.0
SESSION_TTL_S = 12 * 3600.0


@dataclass
class SandboxUser:
    user_id: str
    email: str
    password: str
    tenant_ids: list[str]


@dataclass
class Pending:
    pending_id: str
    request: AuthorizeRequest
    expires_at: float
    user_id: str | None = None
    sign_in: SignIn | None = None


@dataclass
class _Session:
    user_id: str
    expires_at: float
    sign_in: SignIn


def _email_key(email: str) -> str:
    return email.strip().casefold()


@dataclass
class Consent:
    clock: SandboxClock
    users: dict[str, SandboxUser] = field(default_factory=dict)
    sessions: dict[str, _Session] = field(default_factory=dict)
    pending: dict[str, Pending] = field(default_factory=dict)
    # (client id, user id) → the identity scopes the user allowed that app (asked once).
    allowed_identity: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def add_user(self, email: str, password: str, tenant_ids: list[str]) -> SandboxUser:
        """A new user, or the user of that email with a new password and organisations."""
        known = self.users.get(_email_key(email))
        user_id = known.user_id if known is not None else new_id()
        user = SandboxUser(user_id, email.strip(), password, list(dict.fromkeys(tenant_ids)))
        self.users[_email_key(email)] = user
        return user

    def user(self, user_id: str | None) -> SandboxUser | None:
        return next((u for u in self.users.values() if u.user_id == user_id), None)

    def begin(
        self, request: AuthorizeRequest, user: SandboxUser | None, sign_in: SignIn | None = None
    ) -> Pending:
        pending_id = secrets.token_urlsafe(24)
        expires = self.clock.seconds() + PENDING_TTL_S
        found = Pending(pending_id, request, expires, user.user_id if user else None, sign_in)
        self.pending[pending_id] = found
        return found

    def waiting(self, pending_id: str | None) -> Pending | None:
        """The pending authorisation of a form, unless unknown or past its 10 minutes."""
        found = self.pending.get(pending_id or "")
        if found is not None and found.expires_at <= self.clock.seconds():
            del self.pending[found.pending_id]
            return None
        return found

    def close(self, pending: Pending) -> None:
        """A pending authorisation is answered once: allowed or cancelled, it is gone."""
        self.pending.pop(pending.pending_id, None)

    def log_in(self, email: str, password: str) -> tuple[str, SandboxUser, SignIn] | None:
        """A new session for the user those credentials name, or None."""
        user = self.users.get(_email_key(email))
        if user is None or not secrets.compare_digest(user.password.encode(), password.encode()):
            return None
        session_id = secrets.token_urlsafe(32)
        now = self.clock.seconds()
        sign_in = SignIn.at(now)
        self.sessions[session_id] = _Session(user.user_id, now + SESSION_TTL_S, sign_in)
        return session_id, user, sign_in

    def signed_in(self, session_id: str | None) -> tuple[SandboxUser, SignIn] | None:
        """The user a live session names, and the sign-in it came from."""
        session = self.sessions.get(session_id or "")
        if session is None or session.expires_at <= self.clock.seconds():
            return None
        user = self.user(session.user_id)
        return None if user is None else (user, session.sign_in)

    def asks_nothing(self, pending: Pending, user: SandboxUser) -> bool:
        """A sign-in-only request whose scopes the user already allowed the app."""
        request = pending.request
        allowed = self.allowed_identity.get((request.client.client_id, user.user_id), set())
        return signs_in_only(request.scope) and set(request.scope.split()) <= allowed

    def remember(self, pending: Pending, user: SandboxUser) -> None:
        request = pending.request
        if signs_in_only(request.scope):
            key = (request.client.client_id, user.user_id)
            self.allowed_identity.setdefault(key, set()).update(request.scope.split())


def allow(identity: Identity, pending: Pending, user: SandboxUser, ticked: list[str]) -> str | None:
    """The redirect carrying a new code for the organisations chosen, or None when none is
    (a sign-in-only request chooses none and needs none)."""
    request = pending.request
    already = {c.tenant_id for c in identity.connections.of(request.client.client_id, user.user_id)}
    chosen = [t for t in user.tenant_ids if t in ticked or t in already]
    if signs_in_only(request.scope):
        chosen = []
    elif not chosen:
        return None
    code = identity.mint_code(
        request.client.client_id,
        request.scope,
        chosen,
        request.redirect_uri,
        user.user_id,
        request.code_challenge,
        pending.sign_in,
        request.nonce,
    )
    params = {"code": code, "scope": request.scope, "state": request.state}
    return with_query(request.redirect_uri, params)


def deny(pending: Pending) -> str:
    """The redirect telling the app the user cancelled (RFC 6749 §4.1.2.1 ``access_denied``)."""
    request = pending.request
    return with_query(request.redirect_uri, {"error": "access_denied", "state": request.state})
