"""How a Dext call proves who sent it (docs/ingest-api.md, "Signing a call").

    X-Dext-Timestamp: <unix seconds, up to 6 decimals: 1764150000.123456>
    X-Dext-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<METHOD>.<path?query>.<raw body>")>

The method and path are signed as well as the body, so a signature captured on one call opens
no other. A timestamp more than ``TOLERANCE_S`` away from now is refused, and a signature seen
before is refused (the caller remembers accepted ones until they are stale anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["TOLERANCE_S", "Check", "Verdict", "check", "sign", "verify"]

TOLERANCE_S = 300
# Fractions let a client make two otherwise identical calls within one second (a status poll,
# a retried withdrawal) without the second one looking like a replay of the first.
_TIMESTAMP = re.compile(r"\d{1,12}(\.\d{1,6})?")
SCHEME = "v1="


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    matched: int | None = None  # which secret signed a valid call


class Verdict(StrEnum):
    VALID = "valid"
    MISSING = "missing"
    MALFORMED = "malformed"
    STALE = "stale"
    MISMATCH = "mismatch"


def _message(timestamp: str, method: str, target: str, body: bytes) -> bytes:
    return f"{timestamp}.{method.upper()}.{target}.".encode() + body


def sign(secret: bytes, timestamp: str, method: str, target: str, body: bytes) -> str:
    """The ``X-Dext-Signature`` value for a call (``target`` is the path with its query)."""
    digest = hmac.new(secret, _message(timestamp, method, target, body), hashlib.sha256)
    return SCHEME + digest.hexdigest()


def check(
    secrets: Sequence[bytes],
    timestamp: str | None,
    signature: str | None,
    method: str,
    target: str,
    body: bytes,
    now: float,
) -> Check:
    """Checks a call against every secret the organisation accepts now; a valid call names the
    secret it was signed with (its position in ``secrets``)."""
    if not timestamp or not signature:
        return Check(Verdict.MISSING)
    if not _TIMESTAMP.fullmatch(timestamp) or not signature.startswith(SCHEME):
        return Check(Verdict.MALFORMED)
    if abs(now - float(timestamp)) > TOLERANCE_S:
        return Check(Verdict.STALE)
    presented = signature.encode()
    # Every secret is tried (no early exit) so the time taken says nothing about which matched.
    matched: int | None = None
    for position, secret in enumerate(secrets):
        expected = sign(secret, timestamp, method, target, body).encode()
        if hmac.compare_digest(expected, presented):
            matched = position
    if matched is None:
        return Check(Verdict.MISMATCH)
    return Check(Verdict.VALID, matched)


def verify(
    secrets: Sequence[bytes],
    timestamp: str | None,
    signature: str | None,
    method: str,
    target: str,
    body: bytes,
    now: float,
) -> Verdict:
    """The verdict of ``check``."""
    return check(secrets, timestamp, signature, method, target, body, now).verdict
