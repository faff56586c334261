"""The web app's only memory: two sealed cookies (AES-GCM, ``countersign_platform.sealing``).

    cs_session   the approval session's secret, who is signed in, the CSRF token of their
                 forms, and the current access token (renewed from the session when it is
                 about to expire); HttpOnly, SameSite=Lax, Secure behind TLS
    cs_pending   before sign-in: the CSRF token of the sign-in forms, and an OpenID Connect
                 sign-in's state, nonce and PKCE verifier (10 minutes)

Sealed, not signed: a person can neither read the session secret in their own cookie nor
change who it names. A cookie that does not open is no cookie.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from countersign_platform.sealing import Keyring, SealingError
from fastapi import Request, Response

__all__ = ["PENDING", "SESSION", "Cookies", "WebSession", "same_token"]

SESSION, PENDING = "cs_session", "cs_pending"
PENDING_MAX_AGE_S = 600
RENEW_BEFORE_S = 60  # an access token this close to expiry is renewed before it is used


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def same_token(sent: str | None, expected: str) -> bool:
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())


@dataclass
class WebSession:
    session_token: str
    session_id: str
    organisation_id: str
    user_id: str
    email: str
    name: str
    roles: list[str]
    csrf: str = field(default_factory=new_csrf)
    access_token: str | None = None
    access_expires_at: float = 0.0

    def access_fresh(self) -> bool:
        return (
            self.access_token is not None and self.access_expires_at - RENEW_BEFORE_S > time.time()
        )

    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def token(self) -> str:
        """The access token: the page's ``SignedIn`` dependency made it fresh."""
        assert self.access_token is not None
        return self.access_token

    def org_path(self, suffix: str = "") -> str:
        """A path of the services' API under this person's organisation."""
        return f"/v1/organisations/{self.organisation_id}{suffix}"


class Cookies:
    def __init__(self, keyring: Keyring, *, secure: bool) -> None:
        self._keyring, self._secure = keyring, secure

    def _open(self, request: Request, name: str) -> dict[str, Any] | None:
        sealed = request.cookies.get(name)
        if not sealed:
            return None
        try:
            value = json.loads(self._keyring.open(sealed, f"web:{name}"))
        except (SealingError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def _set(
        self, response: Response, name: str, value: dict[str, Any], max_age: int | None
    ) -> None:
        sealed = self._keyring.seal(json.dumps(value).encode(), f"web:{name}")
        response.set_cookie(
            name,
            sealed,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=self._secure,
            path="/",
        )

    def session(self, request: Request) -> WebSession | None:
        value = self._open(request, SESSION)
        try:
            return None if value is None else WebSession(**value)
        except TypeError:
            return None

    def keep_session(self, response: Response, session: WebSession) -> None:
        self._set(response, SESSION, asdict(session), None)

    def pending(self, request: Request) -> dict[str, Any]:
        return self._open(request, PENDING) or {}

    def keep_pending(self, response: Response, pending: dict[str, Any]) -> None:
        self._set(response, PENDING, pending, PENDING_MAX_AGE_S)

    def clear(self, response: Response) -> None:
        for name in (SESSION, PENDING):
            response.delete_cookie(
                name, path="/", secure=self._secure, httponly=True, samesite="lax"
            )
