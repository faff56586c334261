"""Access tokens: who is calling, in which organisation, with which roles, in a form every
service can check without asking approval (ADR 0044).

    person ──Bearer csk_…──▶ approval POST /access-tokens ──▶ JWS, EdDSA, ``kid`` in the header,
                                                               valid for minutes
    caller ──Bearer <JWS>──▶ any service: AccessVerifier.verify ──▶ Caller(user, organisation,
                                                                           roles, name)
                                           │
                                           └─ the public keys: approval's own SigningKeys, or
                                              its /.well-known/jwks.json (published_keys.py)

Approval holds the signing keys (``APPROVAL_SIGNING_KEYS``: ``kid:seed[,kid:seed…]``, each seed
32 random bytes in base64url). The first key signs; every key is published, so a key is rotated
by putting a new one first and dropping the old one once its last tokens have expired.

Everything a verifier can say no to is an ``AccessRefused`` (the token is no good: 401); not
being able to read the key set is an ``AccessUnavailable`` (try again: 503). No FastAPI here:
``access_http.py`` is the glue.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

__all__ = [
    "ALGORITHM",
    "DEFAULT_AUDIENCE",
    "DEFAULT_ISSUER",
    "AccessRefused",
    "AccessUnavailable",
    "AccessVerifier",
    "Caller",
    "KeySet",
    "SigningKeyError",
    "SigningKeys",
    "generate_seed",
    "looks_like_access_token",
    "public_jwk",
]

ALGORITHM = "EdDSA"
DEFAULT_ISSUER = "countersign"
DEFAULT_AUDIENCE = "countersign"
LEEWAY_S = 30  # clocks of two machines disagree by this much without a token being refused
MAX_TOKEN_CHARS = 4096  # ours are about 500; anything far longer is not one of ours
_KID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_CLAIMS = ["iss", "aud", "sub", "org", "roles", "name", "iat", "nbf", "exp", "jti"]


@dataclass(frozen=True)
class Caller:
    """A person of an organisation, as a verified access token names them."""

    user_id: UUID
    organisation_id: UUID
    roles: frozenset[str]
    name: str
    # The sign-in session the token was minted from (claim ``sid``, ADR 0048); None for one
    # exchanged for an API token. Approval refuses a revoked session's tokens at once.
    session_id: UUID | None = None

    def has(self, *roles: str) -> bool:
        """Whether the caller holds any of ``roles``."""
        return bool(self.roles.intersection(roles))


class AccessRefused(Exception):
    """The token is not one to accept: malformed, forged, expired, not for us. The reason is
    safe to show the caller; it never contains the token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AccessUnavailable(Exception):
    """The key set could not be read: whether the token is good cannot be told now."""


class SigningKeyError(ValueError):
    """``APPROVAL_SIGNING_KEYS`` is malformed."""


class KeySet(Protocol):
    """Where a verifier finds the public key a token names."""

    async def key(self, kid: str) -> Ed25519PublicKey:
        """The key; ``AccessRefused`` when there is none, ``AccessUnavailable`` when the set
        cannot be read."""
        ...


def looks_like_access_token(token: str) -> bool:
    """Three dot-separated base64url parts: a JWS, not an API token (``csk_…`` has no dot)."""
    return bool(_COMPACT_JWS.match(token))


def generate_seed() -> str:
    """A new Ed25519 seed, as ``APPROVAL_SIGNING_KEYS`` writes one (after ``kid:``)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def _seed(kid: str, encoded: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SigningKeyError(f"signing key {kid!r} is not base64url") from exc
    if len(raw) != 32:
        raise SigningKeyError(f"signing key {kid!r}: a seed is 32 bytes, not {len(raw)}")
    return raw


def public_jwk(kid: str, key: Ed25519PublicKey) -> dict[str, Any]:
    """One entry of a JWKS: the public key only."""
    jwk: dict[str, Any] = OKPAlgorithm.to_jwk(key, as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM}


class SigningKeys:
    """Approval's Ed25519 keys: the first signs, all verify and are published."""

    def __init__(
        self,
        keys: Mapping[str, Ed25519PrivateKey],
        *,
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
    ) -> None:
        if not keys:
            raise SigningKeyError("no signing key")
        for kid in keys:
            if not _KID.match(kid):
                raise SigningKeyError(f"key id {kid!r}: 1 to 64 of A-Z a-z 0-9 . _ -")
        self._private = dict(keys)
        self._public = {kid: key.public_key() for kid, key in keys.items()}
        self.current_kid = next(iter(keys))
        self.issuer, self.audience = issuer, audience

    @classmethod
    def parse(
        cls, spec: str, *, issuer: str = DEFAULT_ISSUER, audience: str = DEFAULT_AUDIENCE
    ) -> SigningKeys:
        """From ``kid:seed[,kid:seed…]``."""
        keys: dict[str, Ed25519PrivateKey] = {}
        for entry in filter(None, (part.strip() for part in spec.split(","))):
            kid, colon, encoded = entry.partition(":")
            if not colon:
                raise SigningKeyError("each signing key is kid:base64url-seed")
            if kid in keys:
                raise SigningKeyError(f"key id {kid!r} is given twice")
            keys[kid] = Ed25519PrivateKey.from_private_bytes(_seed(kid, encoded))
        return cls(keys, issuer=issuer, audience=audience)

    def issue(self, caller: Caller, ttl_s: int, *, now: float | None = None) -> str:
        """A compact JWS naming ``caller``, valid for ``ttl_s`` seconds from ``now``."""
        issued_at = int(time.time() if now is None else now)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(caller.user_id),
            "org": str(caller.organisation_id),
            "roles": sorted(caller.roles),
            "name": caller.name,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + ttl_s,
            "jti": uuid.uuid4().hex,
        }
        if caller.session_id is not None:
            claims["sid"] = str(caller.session_id)
        return jwt.encode(
            claims,
            self._private[self.current_kid],
            algorithm=ALGORITHM,
            headers={"kid": self.current_kid},
        )

    def jwks(self) -> dict[str, Any]:
        """The public keys, current first, as ``/.well-known/jwks.json`` serves them."""
        return {"keys": [public_jwk(kid, key) for kid, key in self._public.items()]}

    async def key(self, kid: str) -> Ed25519PublicKey:
        found = self._public.get(kid)
        if found is None:
            raise AccessRefused("the token's key is unknown")
        return found

    def __repr__(self) -> str:  # never the seeds
        return f"SigningKeys(kids={list(self._public)})"


# What PyJWT says, in the words a caller is told (most specific first: they subclass).
_REFUSALS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidAudienceError, "the token is for another audience"),
    (jwt.InvalidIssuerError, "the token is from another issuer"),
    (jwt.InvalidSignatureError, "the token's signature does not match"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim"),
    (jwt.PyJWTError, "the token is malformed"),
)


def _refusal(error: jwt.PyJWTError) -> AccessRefused:
    reason = next(text for kind, text in _REFUSALS if isinstance(error, kind))
    return AccessRefused(reason)


class AccessVerifier:
    """Checks access tokens against a key set (approval's own keys, or its published JWKS)."""

    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
        leeway_s: float = LEEWAY_S,
    ) -> None:
        self.keys = keys
        self.issuer, self.audience, self.leeway_s = issuer, audience, leeway_s

    async def verify(self, token: str) -> Caller:
        """The caller the token names; ``AccessRefused`` or ``AccessUnavailable`` otherwise."""
        if len(token) > MAX_TOKEN_CHARS:
            raise AccessRefused("the token is malformed")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _refusal(exc) from None
        if header.get("alg") != ALGORITHM:
            raise AccessRefused(f"only {ALGORITHM} tokens are accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not _KID.match(kid):
            raise AccessRefused("the token names no key")
        key = await self.keys.key(kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": _CLAIMS, "strict_aud": True},
            )
        except jwt.PyJWTError as exc:
            raise _refusal(exc) from None
        return _caller(claims)


def _caller(claims: Mapping[str, Any]) -> Caller:
    roles, name, sid = claims["roles"], claims["name"], claims.get("sid")
    try:
        if not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
            raise ValueError("roles")
        if not isinstance(name, str):
            raise ValueError("name")
        return Caller(
            user_id=UUID(str(claims["sub"])),
            organisation_id=UUID(str(claims["org"])),
            roles=frozenset(roles),
            name=name,
            session_id=None if sid is None else UUID(str(sid)),
        )
    except ValueError:
        raise AccessRefused("the token's claims are malformed") from None
