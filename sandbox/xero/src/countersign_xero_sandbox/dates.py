"""Xero's date formats: MS-JSON (``/Date(ms+0000)/``) out; MS-JSON, ISO dates and ISO
datetimes (with or without an offset) in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

__all__ = [
    "format_date",
    "format_date_string",
    "format_datetime",
    "format_envelope_time",
    "parse_date",
    "parse_datetime",
]

_MS_JSON = re.compile(r"^/Date\((-?\d+)([+-]\d{2,4})?\)/$")


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def parse_date(value: object) -> date:
    """A document date. Raises ValueError on anything Xero would not read as a date."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"not a date: {value!r}")
    found = _MS_JSON.match(value)
    if found:
        return _from_ms(int(found.group(1))).date()
    if len(value) == 10:
        return date.fromisoformat(value)
    # An ISO datetime: keep the local date the sender meant ("2021-10-18T00:00:00+11:00").
    return datetime.fromisoformat(value.replace("Z", "+00:00")).date()


def parse_datetime(value: str) -> datetime:
    """A moment (If-Modified-Since, UpdatedDateUTC filters); naive values are UTC."""
    found = _MS_JSON.match(value)
    if found:
        return _from_ms(int(found.group(1)))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        from email.utils import parsedate_to_datetime

        moment = parsedate_to_datetime(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def format_date(day: date) -> str:
    return f"/Date({_ms(datetime(day.year, day.month, day.day, tzinfo=UTC))}+0000)/"


def format_date_string(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def format_datetime(moment: datetime) -> str:
    return f"/Date({_ms(moment)}+0000)/"


def format_envelope_time(moment: datetime) -> str:
    return f"/Date({_ms(moment)})/"
