"""Xero's JSON on the wire: MS-JSON dates, exact decimal numbers, the response envelope and the
error shapes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
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
from countersign_xero_sandbox.model import Record

__all__ = [
    "JSON",
    "PDF",
    "dumps",
    "envelope",
    "forbidden",
    "loads",
    "negotiate",
    "not_found",
    "post_data_invalid",
    "query_parse_error",
    "to_wire",
    "unauthorized",
    "validation_exception",
    "with_string_twins",
    "xero_json",
]

PROVIDER_NAME = "Countersign Xero sandbox"
JSON = "application/json"
PDF = "application/pdf"


def to_wire(value: Any) -> Any:
    """Python values as Xero writes them. A key whose value is None is left out, at any depth:
    Xero omits absent values rather than sending null (the official SDK cannot read
    ``"DueDate": null`` or ``"PeriodLockDate": null``)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            out[key] = to_wire(item)
        return out
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return value


def with_string_twins(record: Record, *keys: str) -> Record:
    """``record`` with a "<Field>String" text beside each of the date fields ``keys`` that has
    a value — only where Xero writes one: the spec declares ``UpdatedDateUTCString`` on
    invoices and payments, and its examples show ``DateString`` / ``DueDateString`` on invoices
    and ``DateString`` on bank transactions. Nowhere else (the fidelity net checks this)."""
    out = dict(record)
    for key in keys:
        value = record.get(key)
        if isinstance(value, datetime):
            out[f"{key}String"] = value.isoformat(timespec="seconds")
        elif isinstance(value, date):
            out[f"{key}String"] = format_date_string(value)
    return out


def _not_a_number(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(body: bytes | str) -> Any:
    """A request body with every JSON number that has a fraction or exponent read as a Decimal,
    so amounts never pass through a binary float; NaN and Infinity are refused."""
    return json.loads(body or b"null", parse_float=Decimal, parse_constant=_not_a_number)


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} is not a JSON number")
    # Fixed-point text of the Decimal itself: never a binary float's approximation.
    return format(value, "f")


def dumps(value: Any) -> str:
    """JSON text in which a Decimal is written digit for digit as a JSON number (the standard
    encoder would need it turned into a float first, which changes large or long numbers)."""
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, dict):
        members = (f"{json.dumps(str(key))}:{dumps(item)}" for key, item in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(item) for item in value) + "]"
    return json.dumps(value)


def xero_json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = dumps(to_wire(payload))
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _ranges(accept: str) -> list[str]:
    """The media ranges of an Accept header, most wanted first (q, then the order given);
    ranges with q=0 are refused ones and left out."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(accept.split(",")):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media and weight > 0:
            ranked.append((-weight, order, media.lower()))
    return [media for _, _, media in sorted(ranked)]


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """Which of ``offered`` (the resource's media types, preferred first) to answer with, or
    None (406). No Accept header takes the first; any range naming JSON counts as JSON."""
    if not accept or not accept.strip():
        return offered[0] if offered else None
    for media in _ranges(accept):
        for candidate in offered:
            if (
                media in {"*/*", candidate}
                or (media.endswith("/*") and candidate.startswith(media[:-1]))
                or (candidate == JSON and "json" in media)
            ):
                return candidate
    return None


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
    # The identity gateway's problem shape does send "Type": null, so it skips to_wire.
    body: dict[str, Any] = {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }
    return Response(json.dumps(body), status_code=status, media_type="application/json")


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
