"""The identity server's signing key: RS256, as Xero signs its ID tokens and access tokens.

One RSA key per sandbox process (generated at start), or the PEM given in
``XERO_SANDBOX_SIGNING_KEY`` so tokens verify across restarts. Its public half is the key set at
``/.well-known/openid-configuration/jwks``; its ``kid`` is the RFC 7638 thumbprint, so the same
key always has the same id.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["ALGORITHM", "SigningKey"]

ALGORITHM = "RS256"
_KEY_BITS = 2048


def _b64url(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode("ascii")


def _uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class SigningKey:
    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._private = private_key
        numbers = private_key.public_key().public_numbers()
        self._public = {"e": _uint(numbers.e), "kty": "RSA", "n": _uint(numbers.n)}
        # RFC 7638 §3: SHA-256 of the required members, sorted, without whitespace.
        canonical = json.dumps(self._public, sort_keys=True, separators=(",", ":"))
        self.kid = _b64url(hashlib.sha256(canonical.encode()).digest())

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS))

    @classmethod
    def from_pem(cls, pem: str) -> SigningKey:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("XERO_SANDBOX_SIGNING_KEY must be an RSA private key (PEM)")
        return cls(key)

    def public_key(self) -> rsa.RSAPublicKey:
        return self._private.public_key()

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK (RFC 7517), as a key set lists it."""
        return {**self._public, "kid": self.kid, "use": "sig", "alg": ALGORITHM}

    def sign(self, claims: dict[str, Any]) -> str:
        headers = {"kid": self.kid, "typ": "JWT"}
        return jwt.encode(claims, self._private, algorithm=ALGORITHM, headers=headers)
