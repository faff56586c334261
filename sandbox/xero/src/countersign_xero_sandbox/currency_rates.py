"""A tenant's daily exchange rates: what Xero applies (its XE.com day rate for the document's
date) when a document in a foreign currency comes without a ``CurrencyRate``.

A rate is Xero's ``CurrencyRate``: units of the currency per one unit of the base currency (base
GBP, USD 1.27). A currency's table maps days to rates; a document takes the rate of the latest
day on or before its date, or the earliest when all are later. ``EVERY_DAY`` keys a rate that
holds from the beginning of time, so a table of one such entry is a fixed rate.

    tenant spec / PATCH:  "rates": {"USD": "1.25", "EUR": {"*": "1.17", "2026-05-01": "1.18"}}
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "EVERY_DAY",
    "RateSpecError",
    "RateTable",
    "default_table",
    "parse_table",
    "rate_on",
    "table_view",
]

RateTable = dict[date, Decimal]
EVERY_DAY = date.min
RATE_PLACES = Decimal("0.000001")  # Xero keeps CurrencyRate to 6 places ("[18].[6]")

# Units of each currency per 1 GBP: fixed, plausible figures, not a market feed. A tenant's
# default rate between two currencies is the ratio of theirs.
PER_POUND = {
    "GBP": Decimal(1),
    "EUR": Decimal("1.17"),
    "USD": Decimal("1.27"),
    "NZD": Decimal("2.13"),
    "AUD": Decimal("1.93"),
    "CAD": Decimal("1.73"),
    "CHF": Decimal("1.12"),
    "JPY": Decimal("190.0"),
}


class RateSpecError(ValueError):
    """A rate in a tenant description is unusable."""


def default_table(base: str, currency: str) -> RateTable:
    if base not in PER_POUND or currency not in PER_POUND:
        raise RateSpecError(f"no default rate from {base} to {currency}: give one in 'rates'")
    rate = (PER_POUND[currency] / PER_POUND[base]).quantize(RATE_PLACES)
    return {EVERY_DAY: rate}


def _rate(value: Any) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation as exc:
        raise RateSpecError(f"rate {value!r} is not a number") from exc
    if not rate.is_finite() or rate <= 0:
        raise RateSpecError(f"rate {value!r} must be a positive number")
    return rate


def parse_table(value: Any) -> RateTable:
    """``"1.25"`` (every day) or ``{"*" | "YYYY-MM-DD": rate, …}``."""
    if not isinstance(value, dict):
        return {EVERY_DAY: _rate(value)}
    table: RateTable = {}
    for day, rate in value.items():
        try:
            key = EVERY_DAY if day == "*" else date.fromisoformat(str(day))
        except ValueError as exc:
            raise RateSpecError(f"rate day {day!r} is not '*' or YYYY-MM-DD") from exc
        table[key] = _rate(rate)
    if not table:
        raise RateSpecError("a rate table needs at least one rate")
    return table


def rate_on(table: RateTable, day: date) -> Decimal:
    earlier = [d for d in table if d <= day]
    return table[max(earlier)] if earlier else table[min(table)]


def table_view(table: RateTable) -> dict[str, Decimal]:
    return {("*" if d == EVERY_DAY else d.isoformat()): r for d, r in sorted(table.items())}
