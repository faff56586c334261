"""Runs a parsed query against a realm: each condition compares the record's field (a ref by
its ``value``) with the literal read as the field's type; strings compare case-insensitively."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from countersign_qbo_sandbox.model import Realm, Record
from countersign_qbo_sandbox.query import Condition, Query, validation_error

__all__ = ["run"]


def _path(record: Record, name: str) -> Any:
    value: Any = record
    for part in name.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return None
        value = next((v for k, v in value.items() if k.lower() == part.lower()), None)
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    return value


def _as(sample: Any, literal: Any) -> Any:
    """``literal`` read as the type of the stored ``sample``."""
    try:
        if isinstance(sample, bool):
            return literal if isinstance(literal, bool) else str(literal).lower() == "true"
        if isinstance(sample, datetime):
            parsed = datetime.fromisoformat(str(literal).replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=sample.tzinfo)
        if isinstance(sample, date):
            return date.fromisoformat(str(literal)[:10])
        if isinstance(sample, (Decimal, int)):
            return Decimal(str(literal))
    except (ValueError, InvalidOperation) as exc:
        raise validation_error(f"{literal!r} is not a valid value here") from exc
    return str(literal).casefold()


def _key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _holds(record: Record, condition: Condition) -> bool:
    stored = _path(record, condition.field)
    if stored is None:
        return False
    have = _key(stored)
    if condition.op == "LIKE":
        pattern = "".join(".*" if c == "%" else re.escape(c) for c in str(condition.values[0]))
        return re.fullmatch(pattern, str(stored), flags=re.I | re.S) is not None
    wanted = [_as(stored, value) for value in condition.values]
    if condition.op == "IN":
        return have in wanted
    want = wanted[0]
    try:
        return bool(
            {
                "=": have == want,
                "<": have < want,
                ">": have > want,
                "<=": have <= want,
                ">=": have >= want,
            }[condition.op]
        )
    except TypeError:
        return False


def _sort_key(record: Record, name: str | None) -> tuple[int, Any]:
    if name is None:
        return (0, int(record["Id"]) if str(record["Id"]).isdigit() else record["Id"])
    value = _path(record, name)
    if name == "Id" and str(value).isdigit():
        return (0, int(value))
    return (0 if value is not None else 1, _key(value) if value is not None else "")


def run(realm: Realm, query: Query) -> dict[str, Any]:
    records = [
        r
        for r in realm.of(query.entity).values()
        if all(_holds(r, condition) for condition in query.where)
    ]
    if query.count:
        return {"totalCount": len(records)}
    records.sort(key=lambda r: _sort_key(r, query.order_by), reverse=query.descending)
    page = records[query.start - 1 : query.start - 1 + query.max_results]
    if not page:
        return {}
    return {query.entity: page, "startPosition": query.start, "maxResults": len(page)}
