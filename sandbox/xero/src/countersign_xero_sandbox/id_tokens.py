"""What Xero's identity server puts in its tokens, signed RS256 with the sandbox's key.

    access token  iss, aud "<issuer>/resources", nbf, exp, client_id, sub, auth_time,
                  xero_userid, global_session_id, jti, authentication_event_id, scope [list], amr
    ID token      iss, aud (client id), nbf, iat, exp (5 min), auth_time, sub, sid,
                  global_session_id, xero_userid, at_hash, amr, nonce (when the authorize
                  request gave one); with ``profile``: preferred_username (the email),
                  given_name, family_name, name; with ``email``: email
    userinfo      sub, and the same ``profile`` and ``email`` claims

Xero sends no ``email_verified``: it verifies an address before the account can sign in at
all. The sandbox sends none either, so a client that requires the claim fails here as it
would against Xero (docs/xero-sandbox.md).

A token minted by the test-control API belongs to no sandbox user: its access token has no
``sub`` or ``xero_userid``, and its ID token's ``sub`` stands for the app's control user.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from countersign_xero_sandbox.signing import SigningKey

__all__ = [
    "IDENTITY_SCOPES",
    "ID_TOKEN_TTL_S",
    "Person",
    "SignIn",
    "TokenMinter",
    "signs_in_only",
]

ID_TOKEN_TTL_S = 300
# The scopes that reach no organisation: a request asking for only these signs a user in.
IDENTITY_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
_AMR = ["pwd"]  # the sandbox's users sign in with a password


def signs_in_only(scope: str) -> bool:
    return set(scope.split()) <= IDENTITY_SCOPES


@dataclass(frozen=True)
class Person:
    """A sandbox user as the identity server describes them."""

    user_id: str
    email: str
    given_name: str
    family_name: str

    @property
    def subject(self) -> str:
        # Xero's sub is a 32-hex-digit id of its own, beside the GUID in xero_userid.
        return self.user_id.replace("-", "")


@dataclass(frozen=True)
class SignIn:
    """One sign-in at the identity server, shared by every token a browser session gets."""

    auth_time: int
    sid: str
    global_session_id: str

    @classmethod
    def at(cls, now: float) -> SignIn:
        return cls(int(now), secrets.token_hex(16), secrets.token_hex(16))


def _at_hash(access_token: str) -> str:
    # OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token, base64url.
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def profile_claims(person: Person, scope: str) -> dict[str, Any]:
    """The claims the ``profile`` and ``email`` scopes of ``scope`` release."""
    scopes = scope.split()
    claims: dict[str, Any] = {}
    if "profile" in scopes:
        claims["preferred_username"] = person.email
        claims["given_name"] = person.given_name
        claims["family_name"] = person.family_name
        claims["name"] = f"{person.given_name} {person.family_name}".strip()
    if "email" in scopes:
        claims["email"] = person.email
    return claims


class TokenMinter:
    def __init__(self, key: SigningKey, issuer: str) -> None:
        self.key = key
        self.issuer = issuer

    def control_subject(self, client_id: str) -> str:
        """The ``sub`` of the control API's tokens for ``client_id``: stable, nobody's."""
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/_sandbox/{client_id}").hex

    def access_token(
        self,
        client_id: str,
        scope: str,
        event: str,
        person: Person | None,
        sign_in: SignIn,
        now: float,
        ttl_s: float,
    ) -> str:
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": f"{self.issuer}/resources",
            "nbf": int(now),
            "exp": int(now + ttl_s),
            "client_id": client_id,
            "auth_time": sign_in.auth_time,
            "jti": secrets.token_hex(16),
            # What GET /connections?authEventId= filters on: the consent the token came from.
            "authentication_event_id": event,
            "scope": scope.split(),
            "amr": _AMR,
        }
        if person is not None:
            claims["sub"] = person.subject
            claims["xero_userid"] = person.user_id
            claims["global_session_id"] = sign_in.global_session_id
        return self.key.sign(claims)

    def id_token(
        self,
        client_id: str,
        scope: str,
        person: Person | None,
        sign_in: SignIn,
        now: float,
        access_token: str,
        nonce: str | None,
    ) -> str:
        """Who signed in, for ``client_id``; no auth event (that is the access token's)."""
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": client_id,
            "nbf": int(now),
            "iat": int(now),
            "exp": int(now) + ID_TOKEN_TTL_S,
            "auth_time": sign_in.auth_time,
            "sid": sign_in.sid,
            "global_session_id": sign_in.global_session_id,
            "at_hash": _at_hash(access_token),
            "amr": _AMR,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if person is None:
            claims["sub"] = self.control_subject(client_id)
        else:
            claims["sub"] = person.subject
            claims["xero_userid"] = person.user_id
            claims.update(profile_claims(person, scope))
        return self.key.sign(claims)
