"""An OpenID Connect provider, as a relying party needs it (ADR 0048): its discovery document
(``<issuer>/.well-known/openid-configuration``), kept for a while, and the ID tokens it signs,
verified against its published key set.

    verify(id_token, nonce) ─▶ header: an asymmetric alg the provider lists, a kid
                            ─▶ the provider's key for that kid (PublishedKeys: fetched, kept)
                            ─▶ signature, iss = issuer, aud = our client id, exp/iat/nbf
                               (30 s leeway), nonce = the one this sign-in sent, sub, email,
                               email_verified not false
                            ─▶ Identity(subject, email, name)

``AccessRefused`` says why a token is not accepted (safe to show; never the token);
``AccessUnavailable`` that the provider's documents cannot be read now.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt

from countersign_platform.access import LEEWAY_S, MAX_TOKEN_CHARS, AccessRefused, AccessUnavailable
from countersign_platform.published_keys import MAX_AGE_S, PublishedKeys

__all__ = ["ASYMMETRIC", "Identity", "OidcProvider", "parse_signing_keys"]

ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"})
"""What an ID token may be signed with: never ``none``, never a shared-secret HMAC."""

_REQUIRED = ["iss", "sub", "aud", "exp", "iat"]


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    issuer: str
    subject: str
    email: str  # lower-case
    name: str | None
    expires_at: datetime  # the ID token's exp: until then a replay must be refused


def parse_signing_keys(document: Any) -> dict[str, jwt.PyJWK]:
    """The asymmetric signature keys of a JWKS by ``kid``; ``ValueError`` if it is none."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS: no keys list")
    found: dict[str, jwt.PyJWK] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str) or "d" in entry:
            continue
        if entry.get("use", "sig") != "sig" or entry.get("alg") not in ASYMMETRIC:
            continue
        try:
            found[entry["kid"]] = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue
    return found


class OidcProvider:
    """One provider (``issuer``) and this relying party's ``client_id`` at it."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        http: httpx.AsyncClient,
        *,
        max_age_s: float = MAX_AGE_S,
        leeway_s: float = LEEWAY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer, self.client_id = issuer.rstrip("/"), client_id
        self._http, self._clock = http, clock
        self.max_age_s, self.leeway_s = max_age_s, leeway_s
        self._metadata: dict[str, Any] | None = None
        self._read_at = float("-inf")
        self._keys: PublishedKeys[jwt.PyJWK] | None = None
        self._lock = asyncio.Lock()

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    async def metadata(self) -> dict[str, Any]:
        """The discovery document, read at most every ``max_age_s``; a stale one is kept when
        it cannot be read again."""
        async with self._lock:
            if self._metadata is None or self._clock() - self._read_at >= self.max_age_s:
                try:
                    self._metadata = await self._discover()
                    self._read_at = self._clock()
                except AccessUnavailable:
                    if self._metadata is None:
                        raise
            return self._metadata

    async def _discover(self) -> dict[str, Any]:
        try:
            response = await self._http.get(self.discovery_url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise AccessUnavailable(f"the provider cannot be read ({type(exc).__name__})") from exc
        if not isinstance(document, dict) or not isinstance(document.get("jwks_uri"), str):
            raise AccessUnavailable("the provider's discovery document has no jwks_uri")
        if document.get("issuer", "").rstrip("/") != self.issuer:
            # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer asked.
            raise AccessUnavailable("the provider's discovery document names another issuer")
        return document

    async def _key(self, kid: str) -> jwt.PyJWK:
        metadata = await self.metadata()
        if self._keys is None or self._keys.url != metadata["jwks_uri"]:
            self._keys = PublishedKeys(metadata["jwks_uri"], self._http, parse=parse_signing_keys)
        return await self._keys.key(kid)

    async def verify(self, id_token: str, nonce: str) -> Identity:
        """Who ``id_token`` says signed in, for this sign-in (``nonce``)."""
        if len(id_token) > MAX_TOKEN_CHARS * 2:
            raise AccessRefused("the ID token is malformed")
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise AccessRefused("the ID token is malformed") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        allowed = set((await self.metadata()).get("id_token_signing_alg_values_supported", []))
        if algorithm not in ASYMMETRIC or (allowed and algorithm not in allowed):
            raise AccessRefused(f"ID tokens signed with {algorithm} are not accepted")
        if not isinstance(kid, str):
            raise AccessRefused("the ID token names no key")
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=[str(algorithm)],
                audience=self.client_id,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": _REQUIRED, "strict_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise AccessRefused("the ID token has expired") from None
        except jwt.PyJWTError:
            raise AccessRefused("the ID token's signature or claims are not valid") from None
        return self._identity(claims, nonce)

    def _identity(self, claims: dict[str, Any], nonce: str) -> Identity:
        sent = claims.get("nonce")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, nonce):
            raise AccessRefused("the ID token was not issued for this sign-in (nonce)")
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.client_id:
            raise AccessRefused("the ID token was issued to another client (azp)")
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise AccessRefused("the ID token carries no e-mail address (ask for the email scope)")
        if claims.get("email_verified") is False:
            raise AccessRefused("the provider has not verified the e-mail address")
        name = claims.get("name") or " ".join(
            str(claims[part]) for part in ("given_name", "family_name") if claims.get(part)
        )
        expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
        return Identity(
            self.issuer, str(claims["sub"]), email.strip().lower(), name or None, expires_at
        )
