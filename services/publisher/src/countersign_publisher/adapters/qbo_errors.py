"""What can go wrong talking to QuickBooks Online, translated at the IO boundary. Each is also
the ``LedgerError`` (``ledger.errors``) the retry policy decides by.

QboError                  (and the LedgerError it is)
 ├── QboRefused            LedgerRefused       Fault ValidationFault (400): 6240 duplicate name,
 │                                             6000 business rules, 2020/2500 bad references…
 ├── QboNotFound           LedgerNotFound      404, or Fault 610 "Object Not Found"
 ├── QboAuthLost           LedgerAuthLost      401 (3200; after one refresh), 403 (3100),
 │                                             AuthenticationFault / AuthorizationFault
 ├── QboRateLimited        LedgerRateLimited   429 ThrottleExceeded (3001): wait 60 s
 ├── QboTransient          LedgerTransient     5xx, SystemFault, timeouts, dropped connections
 │    └── QboStale         (5010 Stale Object: the adapter re-reads and retries once itself)

Data-service errors come as ``{"Fault":{"Error":[{Message,Detail,code,element}],"type"}}``;
the gateway's (401/403/429) as a lower-case ``{"fault":{"error":[…],"type"}}``. ``fault_errors``
reads both; ``raise_for_qbo`` turns an answer into the most specific error, ``raise_fault`` one
``Fault`` found inside a 200 (a batch item, an upload part).
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
    "QboAuthLost",
    "QboError",
    "QboNotFound",
    "QboRateLimited",
    "QboRefused",
    "QboStale",
    "QboTransient",
    "fault_errors",
    "fault_messages",
    "raise_fault",
    "raise_for_qbo",
    "transport_errors",
]

NOT_FOUND = "610"
STALE = "5010"
AUTH_TYPES = ("authenticationfault", "authorizatonfault", "authorizationfault", "authentication")


class QboError(LedgerError):
    pass


class QboRefused(LedgerRefused, QboError):
    DEFAULT = "QuickBooks Online refused the request"


class QboNotFound(LedgerNotFound, QboError):
    pass


class QboAuthLost(LedgerAuthLost, QboError):
    pass


class QboRateLimited(LedgerRateLimited, QboError):
    pass


class QboTransient(LedgerTransient, QboError):
    pass


class QboStale(QboTransient):
    """5010: the record changed since it was read (a payment bumps a bill's SyncToken)."""


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(item) for item in value]
    return value


def fault_errors(body: Any) -> tuple[str, list[dict[str, Any]]] | None:
    """The fault's type (lower case) and its errors (keys lower case), from either envelope;
    None when ``body`` holds no fault."""
    if not isinstance(body, dict):
        return None
    found = _lower_keys(body).get("fault")
    if not isinstance(found, dict):
        return None
    errors = [e for e in found.get("error") or () if isinstance(e, dict)]
    return str(found.get("type") or "").lower(), errors


def fault_messages(errors: list[dict[str, Any]]) -> list[str]:
    """Intuit's Message and Detail of each error, as people read a refusal."""
    messages = []
    for error in errors:
        message, detail = error.get("message"), error.get("detail")
        parts = [str(part) for part in (message, detail) if part]
        if parts:
            messages.append(": ".join(parts))
    return messages


def raise_fault(body: Any, status: int = 400) -> None:
    """A data-service ``Fault`` (also one inside a 200) as the most specific ``QboError``."""
    found = fault_errors(body)
    if found is None:
        return
    kind, errors = found
    codes = {str(e.get("code")) for e in errors}
    messages = fault_messages(errors)
    if kind in AUTH_TYPES:
        raise QboAuthLost(f"QuickBooks Online refused the credentials: {messages}", status=status)
    if STALE in codes:
        raise QboStale("; ".join(messages) or "Stale Object Error", status=status)
    if NOT_FOUND in codes:
        raise QboNotFound("; ".join(messages) or "Object Not Found", status=status)
    if kind == "systemfault":
        raise QboTransient("; ".join(messages) or "QuickBooks Online failed", status=status)
    raise QboRefused(messages, status=status)


def transport_errors() -> contextlib.AbstractContextManager[None]:
    """A call that never got an answer is transient: the same call may work later."""
    return unanswered_as(QboTransient, "QuickBooks Online")


def raise_for_qbo(response: HttpResponse, retry_after_s: float = 60.0) -> None:
    """An answer of 400 or more as the most specific ``QboError``; a 429 asks to wait
    ``retry_after_s`` (Intuit: 60 s, scaled with a time-scaled sandbox's minute)."""
    status = response.status_code
    if status < 400:
        return
    body = json_or_none(response)
    found = fault_errors(body)
    messages = fault_messages(found[1]) if found else []
    if status == 429:
        raise QboRateLimited("ThrottleExceeded", retry_after_s)
    if status in (401, 403):
        detail = "; ".join(messages) or str(status)
        raise QboAuthLost(f"QuickBooks Online refused the credentials: {detail}", status=status)
    if status == 404:
        raise QboNotFound("QuickBooks Online has no such resource", status=status)
    if status >= 500:
        text = "; ".join(messages) or response.text[:200]
        raise QboTransient(f"QuickBooks Online answered {status}: {text}", status=status)
    raise_fault(body, status)
    raise QboRefused([response.text[:500]], status=status)
