"""What can go wrong talking to Xero, translated at the IO boundary.

XeroError
 ├── XeroValidationError   400: Xero refused the content (messages say why); retrying the
 │                         same request cannot help — a person must fix the cause
 ├── XeroAuthError         401/403 or a refused token grant: the connection needs attention
 ├── XeroNotFound          404
 ├── XeroRateLimited       429: wait ``retry_after`` seconds
 └── XeroTransient         5xx, timeouts, dropped connections: try again later

``raise_for_xero`` turns an answer into the most specific of these, ``transport_errors`` a
timeout or a host out of reach.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from countersign_platform.outbound import HttpResponse, HttpTimeout, HttpUnreachable

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


class XeroError(Exception):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def messages(self) -> list[str]:
        return [str(self)]


class XeroValidationError(XeroError):
    def __init__(self, messages: Sequence[str], *, status: int | None = 400) -> None:
        self._messages = list(messages) or ["Xero refused the request"]
        super().__init__("; ".join(self._messages), status=status)

    @property
    def messages(self) -> list[str]:
        return list(self._messages)


class XeroAuthError(XeroError):
    pass


class XeroNotFound(XeroError):
    pass


class XeroRateLimited(XeroError):
    def __init__(self, problem: str, retry_after_s: float) -> None:
        super().__init__(f"rate limited ({problem}); retry after {retry_after_s}s", status=429)
        self.problem = problem
        self.retry_after_s = retry_after_s


class XeroTransient(XeroError):
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


@contextlib.contextmanager
def transport_errors() -> Iterator[None]:
    """A call that never got an answer is transient: the same call may work later."""
    try:
        yield
    except HttpTimeout as exc:
        raise XeroTransient("Xero did not answer in time") from exc
    except HttpUnreachable as exc:
        raise XeroTransient(f"Xero could not be reached ({exc})") from exc


def _json(response: HttpResponse) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def raise_for_xero(response: HttpResponse) -> None:
    """A Xero answer of 400 or more as the most specific ``XeroError``."""
    status = response.status_code
    if status < 400:
        return
    if status == 429:
        problem = response.headers.get("x-rate-limit-problem", "unknown")
        raise XeroRateLimited(problem, float(response.headers.get("retry-after", "1") or 1))
    body = _json(response)
    detail = (body or {}).get("Detail") if isinstance(body, dict) else None
    if status in (401, 403):
        raise XeroAuthError(f"Xero refused the credentials: {detail or status}", status=status)
    if status == 404:
        raise XeroNotFound("Xero has no such resource", status=status)
    if status == 400:
        raise XeroValidationError(validation_messages(body) or [response.text[:500]], status=400)
    raise XeroTransient(f"Xero answered {status}: {response.text[:200]}", status=status)
