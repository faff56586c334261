"""Value types for money and time as they travel on the wire.

Amounts and quantities are `Decimal` in Python and decimal *strings* in JSON ("12.30"), so no
consumer ever parses money into a binary float. A float on input is refused rather than rounded:
`0.1 + 0.2` is exactly the kind of error a ledger must not inherit.

Scale. An amount is written with its currency's ISO 4217 minor unit ("12.00" GBP, "1200" JPY,
"1.230" KWD); a unit price with at least that many places and at most four, a quantity with at
most four (Xero keeps four places of both, `unitdp=4`). The objects that carry a `currency`
apply the rule (`at_currency_scale`): a producer's "12" becomes "12.00", and "12.001" GBP is
refused; a tolerant reader pads what it can and keeps the rest as sent.

Bounds. Amounts and unit prices stay below 10^12 and quantities below 10^9 in magnitude, far
above any bill and far below where decimal arithmetic would lose digits.
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field, PlainSerializer, PlainValidator
from pydantic.json_schema import WithJsonSchema

from countersign_contracts._currencies import is_iso_currency, minor_units
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

MAX_AMOUNT = Decimal(10) ** 12
MAX_QUANTITY = Decimal(10) ** 9
PRICE_PLACES = 4
"""Decimal places Xero keeps of a unit price and a quantity (with ``unitdp=4``)."""


def _below(limit: Decimal) -> AfterValidator:
    def check(value: Decimal) -> Decimal:
        if abs(value) >= limit:
            raise ValueError(f"must be less than {limit:,.0f} in magnitude")
        return value

    return AfterValidator(check)


Amount = Annotated[DecimalString, _below(MAX_AMOUNT)]
"""A money amount. Its currency is the `currency` field of the object that carries it."""

Quantity = Annotated[DecimalString, _below(MAX_QUANTITY)]
"""A line quantity (at most 4 decimal places, as Xero keeps)."""

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


def places(value: Decimal) -> int:
    """Decimal places ``value`` is written with ("12.30" → 2, "12" → 0)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def with_places(value: Decimal, count: int) -> Decimal:
    """``value`` written with exactly ``count`` places; ValueError when a non-zero digit would
    be dropped (never rounds)."""
    scaled = value.quantize(Decimal(1).scaleb(-count))
    if scaled != value:
        raise ValueError(f"{value} has more than {count} decimal places")
    return scaled


def amount_at_scale(value: Decimal, currency: str) -> Decimal:
    """An amount written with its currency's minor unit: "12" GBP → "12.00"."""
    count = minor_units(currency)
    try:
        return with_places(value, count)
    except ValueError:
        raise ValueError(f"{value} has more decimal places than {currency} has ({count})") from None


def price_at_scale(value: Decimal, currency: str) -> Decimal:
    """A unit price with the currency's places, or more when its digits need them, at most
    four: "2" GBP → "2.00", "0.3330" GBP → "0.333", "1000.00" JPY → "1000"."""
    most = max(PRICE_PLACES, minor_units(currency))
    needed = places(value.normalize()) if value else 0
    if needed > most:
        raise ValueError(f"{value} has more than {most} decimal places")
    return with_places(value, max(needed, minor_units(currency)))


def quantity_at_scale(value: Decimal) -> Decimal:
    if places(value) > PRICE_PLACES:
        raise ValueError(f"{value} has more than {PRICE_PLACES} decimal places")
    return value


def rescaled(owner: Any, fields: Iterable[str], scale: Any, tolerant: bool) -> dict[str, Decimal]:
    """The ``fields`` of ``owner`` that ``scale`` rewrites, by name. A strict producer's value
    that cannot be written at its scale raises; a tolerant reader keeps it as sent."""
    changed: dict[str, Decimal] = {}
    for name in fields:
        value = getattr(owner, name)
        if value is None:
            continue
        try:
            scaled = scale(value)
        except ValueError as error:
            if tolerant:
                continue
            raise ValueError(f"{name}: {error}") from None
        if str(scaled) != str(value):
            changed[name] = scaled
    return changed
