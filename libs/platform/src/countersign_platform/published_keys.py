"""A published key set (JWKS), fetched and kept: the access-token keys approval publishes
(``ACCESS_JWKS_URL``), and an OpenID Connect provider's (``oidc.OidcProvider``).

    verify ─▶ key(kid) ─▶ known and fresh ────────────────────────────▶ the key
                       ├▶ no set yet ───────────────────▶ fetch ──────▶ the key, or
                       │                                               AccessUnavailable
                       ├▶ set older than max_age_s ─┐
                       └▶ kid unknown ──────────────┴▶ fetch, unless one was tried in the
                                                       last refetch_after_s ─▶ the key, or
                                                       AccessRefused (unknown key), or
                                                       AccessUnavailable (could not fetch)

One fetch at a time (a burst of tokens under a new key makes one request). A set that could
not be refreshed is kept: approval restarting does not lock every other service out. A token
under a key nobody has published is refused, and asks approval again at most every 30 s, so
tokens with made-up key ids cannot turn each request into a call to approval.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from countersign_platform.access import ALGORITHM, AccessRefused, AccessUnavailable

__all__ = ["PublishedKeys", "parse_jwks"]

K = TypeVar("K")

log = logging.getLogger(__name__)

REFETCH_AFTER_S = 30.0
MAX_AGE_S = 300.0


def parse_jwks(document: Any) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 signing keys of a JWKS by ``kid``; other keys are left out. ``ValueError``
    when the document is not a JWKS at all."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS: no keys list")
    found: dict[str, Ed25519PublicKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519" or "d" in entry:
            continue
        if entry.get("use", "sig") != "sig" or entry.get("alg", ALGORITHM) != ALGORITHM:
            continue
        try:
            key = jwt.PyJWK(entry, algorithm=ALGORITHM).key
        except jwt.PyJWTError:
            continue
        if isinstance(key, Ed25519PublicKey):
            found[entry["kid"]] = key
    return found


class PublishedKeys(Generic[K]):
    """A key set read from a JWKS URL (see the module's picture); ``parse`` picks the keys a
    document holds that this reader accepts (by default approval's Ed25519 keys)."""

    def __init__(
        self,
        url: str,
        http: httpx.AsyncClient,
        *,
        parse: Callable[[Any], dict[str, K]] = parse_jwks,  # type: ignore[assignment]
        refetch_after_s: float = REFETCH_AFTER_S,
        max_age_s: float = MAX_AGE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url, self._http, self._clock, self._parse = url, http, clock, parse
        self.refetch_after_s, self.max_age_s = refetch_after_s, max_age_s
        self._keys: dict[str, K] | None = None
        self._fetched_at = float("-inf")
        self._tried_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0  # attempts, for tests and the curious

    async def key(self, kid: str) -> K:
        keys = self._keys
        if keys is None or kid not in keys or self._stale():
            keys = await self._refresh(kid)
        found = keys.get(kid)
        if found is None:
            raise AccessRefused("the token's key is unknown")
        return found

    def _stale(self) -> bool:
        return self._clock() - self._fetched_at >= self.max_age_s

    async def _refresh(self, kid: str) -> dict[str, K]:
        async with self._lock:
            keys = self._keys
            # Another request may have fetched while this one waited for the lock.
            if keys is not None and kid in keys and not self._stale():
                return keys
            if keys is not None and self._clock() - self._tried_at < self.refetch_after_s:
                return keys
            self._tried_at = self._clock()
            self.fetches += 1
            try:
                fresh = await self._fetch()
            except AccessUnavailable:
                if keys is None or kid not in keys:
                    raise
                return keys  # the set we have still names this key: keep using it
            self._keys, self._fetched_at = fresh, self._clock()
            return fresh

    async def _fetch(self) -> dict[str, K]:
        try:
            response = await self._http.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
            keys = self._parse(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("key set at %s unreadable: %s", self.url, type(exc).__name__)
            raise AccessUnavailable(f"the key set cannot be read ({type(exc).__name__})") from exc
        log.info("key set fetched from %s: keys %s", self.url, sorted(keys))
        return keys
