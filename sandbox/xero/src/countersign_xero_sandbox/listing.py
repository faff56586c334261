"""What every Accounting list endpoint shares: ``where``, ``IDs``-style lists, ``order``,
``If-Modified-Since`` and paging."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from starlette.responses import Response

from countersign_xero_sandbox.dates import parse_datetime
from countersign_xero_sandbox.model import Record
from countersign_xero_sandbox.query import QueryError, page_of, parse_where
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.wire import envelope, query_parse_error, xero_json

__all__ = ["comma_list", "list_answer", "select"]


def comma_list(call: Call, name: str) -> set[str] | None:
    raw = call.query.get(name)
    if not raw:
        return None
    return {part.strip().casefold() for part in raw.split(",") if part.strip()}


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, datetime):
        return (1, value.timestamp())
    if isinstance(value, date):
        return (1, value.toordinal() * 86400.0)
    if isinstance(value, str):
        return (2, value.casefold())
    return (3, value)


def select(
    call: Call,
    records: Iterable[Record],
    filters: dict[str, str] | None = None,
    keep: Callable[[Record], bool] | None = None,
) -> list[Record]:
    """``filters`` maps a comma-list query parameter to the record field it matches."""
    chosen = [r for r in records if keep is None or keep(r)]
    for parameter, field_name in (filters or {}).items():
        wanted = comma_list(call, parameter)
        if wanted is not None:
            chosen = [r for r in chosen if _field_text(r, field_name) in wanted]
    where = call.query.get("where")
    if where:
        try:
            predicate = parse_where(where)
        except QueryError as exc:
            raise CallError(query_parse_error(str(exc))) from exc
        chosen = [r for r in chosen if predicate(r)]
    since = call.headers.get("if-modified-since")
    if since:
        try:
            moment = parse_datetime(since)
        except (ValueError, TypeError) as exc:
            raise CallError(query_parse_error(f"If-Modified-Since is not a date: {since}")) from exc
        chosen = [r for r in chosen if r.get("UpdatedDateUTC") and r["UpdatedDateUTC"] > moment]
    order = call.query.get("order")
    if order:
        field_name, _, direction = order.strip().partition(" ")
        chosen.sort(
            key=lambda r: _sort_key(r.get(field_name)), reverse=direction.strip().upper() == "DESC"
        )
    return chosen


def _field_text(record: Record, path: str) -> str:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return str(value or "").casefold()


def list_answer(
    call: Call, collection: str, records: list[Record], render: Callable[[Record], Record]
) -> Response:
    try:
        page, block = page_of(records, call.query.get("page"), call.query.get("pageSize"))
    except QueryError as exc:
        raise CallError(query_parse_error(str(exc))) from exc
    body = envelope(call.now, **{collection: [render(r) for r in page]})
    if block is not None:
        body["pagination"] = block
    return xero_json(body)
