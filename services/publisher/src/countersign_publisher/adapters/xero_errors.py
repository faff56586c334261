"""What can go wrong talking to Xero, translated at the IO boundary. Each is also the
``LedgerError`` (``ledger.errors``) the retry policy decides by.

XeroError                 (and the LedgerError it is)
 ├── XeroValidationError   LedgerRefused       400: Xero refused the content (messages say
 │                                             why); a person must fix the cause
 ├── XeroAuthError         LedgerAuthLost      401/403 or a refused token grant
 ├── XeroNotFound          LedgerNotFound      404
 ├── XeroRateLimited       LedgerRateLimited   429: wait ``retry_after_s`` seconds
 └── XeroTransient         LedgerTransient     5xx, timeouts, dropped connections

``raise_for_xero`` turns an answer into the most specific of these, ``transport_errors`` a
timeout or a host out of reach.
"""

from __future__ import annotations

import contextlib
from typing import Any

from countersign_platform.outbound import HttpResponse

from countersign_publisher.adapters.answers import json_or_none, unanswered_as
from countersign_publisher.ledger.errors import (
    LedgerAuthLost,
    LedgerError,
    LedgerNotFound,
    LedgerRateLimited,
    LedgerRefused,
    LedgerTransient,
)

__all__ = [
    "XeroAuthError",
    "XeroError",
    "XeroNotFound",
    "XeroRateLimited",
    "XeroTransient",
    "XeroValidationError",
    "raise_for_xero",
    "transport_errors",
    "validation_messages",
]


class XeroError(LedgerError):
    pass


class XeroValidationError(LedgerRefused, XeroError):
    DEFAULT = "Xero refused the request"


class XeroAuthError(LedgerAuthLost, XeroError):
    pass


class XeroNotFound(LedgerNotFound, XeroError):
    pass


class XeroRateLimited(LedgerRateLimited, XeroError):
    pass


class XeroTransient(LedgerTransient, XeroError):
    pass


def validation_messages(body: Any) -> list[str]:
    """Every ``ValidationErrors[].Message`` of a ValidationException body (or one element)."""
    found: list[str] = []
    if not isinstance(body, dict):
        return found
    for error in body.get("ValidationErrors") or ():
        if isinstance(error, dict) and error.get("Message"):
            found.append(str(error["Message"]))
    for element in body.get("Elements") or ():
        found.extend(validation_messages(element))
    if not found and body.get("Message") and body.get("Type") != "ValidationException":
        found.append(str(body["Message"]))
    if not found and body.get("Detail"):
        found.append(str(body["Detail"]))
    return found


def transport_errors() -> contextlib.AbstractContextManager[None]:
    """A call that never got an answer is transient: the same call may work later."""
    return unanswered_as(XeroTransient, "Xero")


def raise_for_xero(response: HttpResponse) -> None:
    """A Xero answer of 400 or more as the most specific ``XeroError``."""
    status = response.status_code
    if status < 400:
        return
    if status == 429:
        problem = response.headers.get("x-rate-limit-problem", "unknown")
        raise XeroRateLimited(problem, float(response.headers.get("retry-after", "1") or 1))
    body = json_or_none(response)
    detail = (body or {}).get("Detail") if isinstance(body, dict) else None
    if status in (401, 403):
        raise XeroAuthError(f"Xero refused the credentials: {detail or status}", status=status)
    if status == 404:
        raise XeroNotFound("Xero has no such resource", status=status)
    if status == 400:
        raise XeroValidationError(validation_messages(body) or [response.text[:500]], status=400)
    raise XeroTransient(f"Xero answered {status}: {response.text[:200]}", status=status)
