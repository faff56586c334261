"""Value types for money and time as they travel on the wire.

Amounts and quantities are `Decimal` in Python and decimal *strings* in JSON ("12.30"), so no
consumer ever parses money into a binary float. A float on input is refused rather than rounded:
`0.1 + 0.2` is exactly the kind of error a ledger must not inherit.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, PlainSerializer, PlainValidator
from pydantic.json_schema import WithJsonSchema

from countersign_contracts._currencies import is_iso_currency
from countersign_contracts._text import ONE_LINE

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
_DECIMAL_RE = re.compile(DECIMAL_PATTERN)


def _parse_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("must be a finite decimal")
        return value
    if isinstance(value, str):
        if not _DECIMAL_RE.fullmatch(value):
            raise ValueError(f"must be a plain decimal string such as '12.30', got {value!r}")
        return Decimal(value)
    if isinstance(value, float):
        raise ValueError(
            "must be a decimal string such as '12.30', not a float: floats lose precision"
        )
    raise ValueError(f"must be a decimal string such as '12.30', got {type(value).__name__}")


def _format_decimal(value: Decimal) -> str:
    # "f" keeps every digit given ("0.10" stays "0.10") and never uses exponent notation.
    return format(value, "f")


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than zero")
    return value


DecimalString = Annotated[
    Decimal,
    PlainValidator(_parse_decimal),
    PlainSerializer(_format_decimal, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN}),
]
"""A `Decimal` in Python, a plain decimal string on the wire ("-12.30"; no exponent, no float)."""

Amount = DecimalString
"""A money amount. Its currency is the `currency` field of the object that carries it."""

Quantity = DecimalString
"""A line quantity (Xero accepts up to 4 decimal places)."""

ExchangeRate = Annotated[
    DecimalString,
    AfterValidator(_positive),
    WithJsonSchema({"type": "string", "pattern": r"^(?=.*[1-9])\d+(\.\d+)?$"}),
]
"""A positive exchange rate, as Xero's `CurrencyRate`."""


def _iso_currency(code: str) -> str:
    if not is_iso_currency(code):
        raise ValueError(f"{code!r} is not an active ISO 4217 currency code")
    return code


CurrencyCode = Annotated[
    str,
    Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code, e.g. GBP"),
    ONE_LINE,
    AfterValidator(_iso_currency),
]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware instant, normalised to UTC (serialised as ISO 8601 ending in Z)."""
