"""Proof Key for Code Exchange (RFC 7636) as Xero's identity server takes it: ``S256`` only.

authorize:  code_challenge = BASE64URL(SHA256(code_verifier)), no padding  (§4.2)
token:      code_verifier, 43 to 128 characters of [A-Z a-z 0-9 - . _ ~]     (§4.1)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

__all__ = ["S256", "s256", "verifies", "well_formed"]

S256 = "S256"
# RFC 7636 §4.1 (code_verifier) and §4.2 (code_challenge): 43*128 unreserved characters.
_UNRESERVED_43_128 = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def well_formed(value: str | None) -> bool:
    """A verifier or a challenge: 43 to 128 characters of the unreserved set."""
    return value is not None and _UNRESERVED_43_128.fullmatch(value) is not None


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifies(challenge: str, verifier: str | None) -> bool:
    """The token request's verifier answers the authorize request's S256 challenge."""
    if verifier is None or not well_formed(verifier):
        return False
    return hmac.compare_digest(s256(verifier), challenge)
