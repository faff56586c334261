"""ID tokens from an OpenID Connect provider (ADR 0048): accepted only signed by a key the
provider publishes, with an asymmetric algorithm, for this client, from this issuer, for this
sign-in (nonce), unexpired, and naming an e-mail address the provider has not disowned."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import jwt
import pytest
from countersign_platform.access import AccessRefused, AccessUnavailable
from countersign_platform.oidc import OidcProvider
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://identity.example"
CLIENT = "countersign-web"
NONCE = "n-0123456789abcdef"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SHARED_SECRET = "a-shared-secret-of-32-bytes-long!"


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig", "alg": "RS256"}


class Provider:
    """The provider's two documents, served through httpx's MockTransport."""

    def __init__(self, issuer: str = ISSUER) -> None:
        self.discovery = {
            "issuer": issuer,
            "jwks_uri": f"{ISSUER}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        }
        self.jwks = {"keys": [_jwk(KEY, "k1")]}
        self.reads: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.reads.append(request.url.path)
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(200, json=self.discovery)
        if request.url.path == "/jwks":
            return httpx.Response(200, json=self.jwks)
        return httpx.Response(404)

    def relying_party(self) -> OidcProvider:
        http = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return OidcProvider(ISSUER, CLIENT, http)


def id_token(
    key: rsa.RSAPrivateKey = KEY, kid: str = "k1", algorithm: str = "RS256", **claims: Any
) -> str:
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "user-7",
        "aud": CLIENT,
        "iat": now,
        "exp": now + 300,
        "nonce": NONCE,
        "email": "Ann@Example.com",
        "given_name": "Ann",
        "family_name": "Approver",
    }
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})


async def test_a_good_id_token_names_who_signed_in() -> None:
    provider = Provider()
    identity = await provider.relying_party().verify(id_token(), NONCE)
    assert (identity.issuer, identity.subject, identity.email, identity.name) == (
        ISSUER,
        "user-7",
        "ann@example.com",
        "Ann Approver",
    )
    assert provider.reads == ["/.well-known/openid-configuration", "/jwks"]


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: id_token(nonce="another-sign-in-nonce"), "nonce"),
        (lambda: id_token(aud="someone-else"), "signature or claims"),
        (lambda: id_token(iss="https://evil.example"), "signature or claims"),
        (lambda: id_token(exp=int(time.time()) - 120), "expired"),
        (lambda: id_token(key=OTHER_KEY), "signature or claims"),
        (lambda: id_token(kid="k9"), "key is unknown"),
        (lambda: id_token(email=None), "no e-mail"),
        (lambda: id_token(email_verified=False), "not verified"),
        (lambda: id_token(sub=None), "signature or claims"),
        (lambda: jwt.encode({"iss": ISSUER}, SHARED_SECRET, "HS256"), "HS256"),
        (lambda: id_token().rsplit(".", 1)[0] + ".", "signature or claims"),
    ],
    ids=[
        "another sign-in", "another client", "another issuer", "expired", "forged",
        "unknown key", "no email", "email not verified", "no subject", "shared secret",
        "signature stripped",
    ],
)  # fmt: skip
async def test_an_id_token_is_refused_saying_why(token: Any, reason: str) -> None:
    with pytest.raises(AccessRefused, match=reason):
        await Provider().relying_party().verify(token(), NONCE)


async def test_a_provider_whose_discovery_names_another_issuer_is_not_trusted() -> None:
    provider = Provider(issuer="https://impostor.example")
    with pytest.raises(AccessUnavailable, match="another issuer"):
        await provider.relying_party().verify(id_token(), NONCE)


async def test_an_unreadable_provider_is_unavailable_not_a_refusal() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    relying = OidcProvider(ISSUER, CLIENT, httpx.AsyncClient(transport=httpx.MockTransport(down)))
    with pytest.raises(AccessUnavailable):
        await relying.verify(id_token(), NONCE)
