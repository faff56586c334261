"""Xero's JSON on the wire: MS-JSON dates, the response envelope and the error shapes."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from countersign_xero_sandbox.dates import (
    format_date,
    format_date_string,
    format_datetime,
    format_envelope_time,
)

__all__ = [
    "envelope",
    "forbidden",
    "not_found",
    "post_data_invalid",
    "query_parse_error",
    "to_wire",
    "unauthorized",
    "validation_exception",
    "xero_json",
]

PROVIDER_NAME = "Countersign Xero sandbox"
# Date fields that Xero accompanies with a "<Field>String" twin.
_STRING_TWINS = {"Date", "DueDate", "FullyPaidOnDate", "UpdatedDateUTC"}


def to_wire(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out[key] = to_wire(item)
            if key in _STRING_TWINS and isinstance(item, date):
                twin = f"{key}String" if key != "Date" else "DateString"
                if isinstance(item, datetime):
                    out[twin] = item.isoformat(timespec="seconds")
                else:
                    out[twin] = format_date_string(item)
        return out
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def xero_json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(to_wire(payload), separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def envelope(now: datetime, **collections: Any) -> dict[str, Any]:
    return {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": PROVIDER_NAME,
        "DateTimeUTC": format_envelope_time(now),
        **collections,
    }


def validation_exception(elements: list[dict[str, Any]]) -> Response:
    return xero_json(
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": elements,
        },
        status=400,
    )


def _exception(number: int, kind: str, message: str) -> Response:
    return xero_json({"ErrorNumber": number, "Type": kind, "Message": message}, status=400)


def post_data_invalid(message: str) -> Response:
    return _exception(14, "PostDataInvalidException", message)


def query_parse_error(message: str) -> Response:
    return _exception(16, "QueryParseException", message)


def _problem(status: int, title: str, detail: str) -> Response:
    return xero_json(
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        },
        status=status,
    )


def unauthorized(detail: str) -> Response:
    response = _problem(401, "Unauthorized", detail)
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def forbidden() -> Response:
    return _problem(403, "Forbidden", "AuthenticationUnsuccessful")


def not_found() -> Response:
    return Response(
        "The resource you're looking for cannot be found", status_code=404, media_type="text/plain"
    )
