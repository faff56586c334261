"""QuickBooks Online's JSON on the wire: the ``time`` stamp, exact decimal numbers, and the two
error shapes — the data service's ``Fault`` (HTTP 400, PascalCase) and the gateway's lower-case
``fault`` (401/403/429)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from countersign_xero_sandbox.wire import dumps, loads
from starlette.responses import Response

__all__ = [
    "CallError",
    "Fault",
    "dumps",
    "gateway_fault",
    "intuit_time",
    "loads",
    "plain",
    "qbo_json",
    "throttled",
]

# Intuit stamps replies in the company's server time, Pacific (e.g. "…-07:00").
PACIFIC = ZoneInfo("America/Los_Angeles")


def intuit_time(moment: datetime) -> str:
    return moment.astimezone(PACIFIC).isoformat(timespec="milliseconds")


def plain(value: Any) -> Any:
    """Null properties are omitted, as QBO does; dates become ISO text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return intuit_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def qbo_json(payload: dict[str, Any], now: datetime, status: int = 200) -> Response:
    body = dumps(plain({**payload, "time": now}))
    headers = {"intuit_tid": uuid.uuid4().hex}
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class Fault(Exception):
    """A data-service error: ``{"Fault":{"Error":[…],"type":…}}`` with HTTP ``status``."""

    def __init__(
        self,
        code: str,
        message: str,
        detail: str,
        element: str = "",
        kind: str = "ValidationFault",
        status: int = 400,
    ) -> None:
        super().__init__(f"{code} {message}: {detail}")
        self.code, self.message, self.detail, self.element = code, message, detail, element
        self.kind, self.status = kind, status

    def body(self) -> dict[str, Any]:
        error = {
            "Message": self.message,
            "Detail": self.detail,
            "code": self.code,
            "element": self.element,
        }
        return {"Fault": {"Error": [error], "type": self.kind}}

    def response(self, now: datetime) -> Response:
        return qbo_json(self.body(), now, self.status)


class CallError(Exception):
    """Stops a handler with a ready answer."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def gateway_fault(
    status: int, name: str, code: str, detail: str, kind: str, now: datetime
) -> Response:
    """The API gateway's envelope (lower-case keys, epoch-millisecond ``time``)."""
    body: dict[str, Any] = {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [
                {
                    "message": f"message={name}; errorCode=00{code}; statusCode={status}",
                    "detail": detail,
                    "code": code,
                    "element": None,
                }
            ],
            "type": kind,
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": int(now.timestamp() * 1000),
        "status": None,
        "cdcresponse": [],
    }
    headers = {"intuit_tid": uuid.uuid4().hex}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="Intuit", error="invalid_token"'
    return Response(dumps(body), status_code=status, media_type="application/json", headers=headers)


def unauthenticated(now: datetime, detail: str = "Token expired") -> Response:
    return gateway_fault(401, "AuthenticationFailed", "3200", detail, "AUTHENTICATION", now)


def forbidden(now: datetime) -> Response:
    detail = "The application is not authorized for this company"
    return gateway_fault(403, "ApplicationAuthorizationFailed", "3100", detail, "SERVICE", now)


def throttled(now: datetime) -> Response:
    detail = "The request limit was reached.  Try again later"
    return gateway_fault(429, "ThrottleExceeded", "3001", detail, "SERVICE", now)


def money(value: Any) -> Decimal:
    """An amount from a request body (number or numeric string, as clients send both)."""
    if isinstance(value, bool):
        raise ValueError("not an amount")
    amount = Decimal(str(value))
    if not amount.is_finite():
        raise ValueError("not an amount")
    return amount
