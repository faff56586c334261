"""Xero's arithmetic for one line item: the inputs are rounded first, then the line, then its tax.

    Quantity    → 4 dp
    UnitAmount  → 2 dp, or 4 dp when the request carries ?unitdp=4
    LineAmount  = round(Quantity x UnitAmount, 2)
    TaxAmount   = round(LineAmount x rate / 100, 2)           Exclusive
                = round(LineAmount x rate / (100 + rate), 2)  Inclusive
                = 0                                           NoTax

Every rounding is half away from zero. Document totals are sums of these rounded figures, so
they need no rounding of their own. Sources: docs/xero-sandbox.md, "Rules implemented".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "DEFAULT_UNIT_DP",
    "MAX_UNIT_DP",
    "ZERO",
    "line_amount",
    "line_tax",
    "money",
    "quantity",
    "rounded",
    "unit_amount",
    "unit_dp",
]

ZERO = Decimal("0.00")  # an amount of nothing, written as Xero writes money: 2 dp
DEFAULT_UNIT_DP = 2
MAX_UNIT_DP = 4
QUANTITY_DP = 4


def rounded(value: Decimal, places: int) -> Decimal:
    # ROUND_HALF_UP in the decimal module rounds ties away from zero (-0.005 → -0.01).
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(value: Decimal) -> Decimal:
    return rounded(value, 2)


def quantity(value: Decimal) -> Decimal:
    return rounded(value, QUANTITY_DP)


def unit_amount(value: Decimal, places: int) -> Decimal:
    return rounded(value, places)


def unit_dp(parameter: str | None) -> int:
    """The ``unitdp`` query parameter: 4 opts in to four decimal places, anything else is 2."""
    return MAX_UNIT_DP if (parameter or "").strip() == str(MAX_UNIT_DP) else DEFAULT_UNIT_DP


def line_amount(line_quantity: Decimal, unit: Decimal) -> Decimal:
    """``line_quantity`` and ``unit`` already rounded (``quantity``, ``unit_amount``)."""
    return money(line_quantity * unit)


def line_tax(amount: Decimal, rate: Decimal, amount_types: str) -> Decimal:
    """The tax of one line from its (rounded) LineAmount and the tax rate in percent."""
    if amount_types == "Inclusive":
        return money(amount * rate / (Decimal(100) + rate))
    if amount_types == "Exclusive":
        return money(amount * rate / Decimal(100))
    return ZERO
