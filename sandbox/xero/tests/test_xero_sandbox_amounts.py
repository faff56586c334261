"""The Xero sandbox's arithmetic without HTTP: rounding of quantities, unit amounts, line amounts
and tax per line, with and without ``unitdp=4``; the daily exchange rates a document takes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from countersign_xero_sandbox.amounts import (
    line_amount,
    line_tax,
    money,
    quantity,
    unit_amount,
    unit_dp,
)
from countersign_xero_sandbox.currency_rates import (
    EVERY_DAY,
    RateSpecError,
    default_table,
    parse_table,
    rate_on,
)
from countersign_xero_sandbox.documents import currency_rate
from countersign_xero_sandbox.line_items import build_lines
from countersign_xero_sandbox.model import Tenant
from countersign_xero_sandbox.tenancy import build_tenant

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def a_tenant() -> Tenant:
    return build_tenant(
        {"tax_rates": [{"TaxType": "GST15", "Name": "15%", "EffectiveRate": "15"}]}, NOW
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # half away from zero, not half to even (which gives 0.02)
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),
        ("-2.675", "-2.68"),
        ("0.1485", "0.15"),
        ("0.004999", "0.00"),
    ],
)
def test_xero_sandbox_money_rounds_half_away_from_zero(value: str, expected: str) -> None:
    assert money(Decimal(value)) == Decimal(expected)
    assert str(money(Decimal(value))) == expected


def test_xero_sandbox_quantity_keeps_four_places_and_unit_amount_two_or_four() -> None:
    assert quantity(Decimal("1.23456")) == Decimal("1.2346")
    assert quantity(Decimal("3")) == Decimal("3.0000")
    assert unit_amount(Decimal("0.333"), 2) == Decimal("0.33")
    assert unit_amount(Decimal("0.333"), 4) == Decimal("0.3330")
    assert unit_amount(Decimal("0.16485"), 4) == Decimal("0.1649")
    assert unit_amount(Decimal("1.795"), 2) == Decimal("1.80")


@pytest.mark.parametrize(
    ("parameter", "places"), [(None, 2), ("", 2), ("4", 4), (" 4 ", 4), ("2", 2), ("3", 2)]
)
def test_xero_sandbox_unitdp_opts_in_to_four_places_only_with_4(
    parameter: str | None, places: int
) -> None:
    assert unit_dp(parameter) == places


def test_xero_sandbox_line_amount_multiplies_the_rounded_inputs() -> None:
    assert line_amount(Decimal("3.0000"), Decimal("0.33")) == Decimal("0.99")
    assert line_amount(Decimal("3.0000"), Decimal("0.3330")) == Decimal("1.00")
    assert line_amount(Decimal("0.0000"), Decimal("12.50")) == Decimal("0.00")


def test_xero_sandbox_line_tax_per_amount_type() -> None:
    assert line_tax(Decimal("0.99"), Decimal(15), "Exclusive") == Decimal("0.15")
    assert line_tax(Decimal("120.00"), Decimal(20), "Inclusive") == Decimal("20.00")
    assert line_tax(Decimal("10.05"), Decimal(20), "Exclusive") == Decimal("2.01")
    assert line_tax(Decimal("99.00"), Decimal(20), "NoTax") == Decimal("0.00")


def lines_of(places: int, **line: object) -> tuple[list[str], dict[str, object]]:
    errors: list[str] = []
    raw = {"Description": "x", "AccountCode": "429", "TaxType": "GST15", **line}
    built = build_lines(a_tenant(), [raw], "Exclusive", True, places, errors)
    totals = {
        "line": built.items[0],
        "SubTotal": built.sub_total,
        "TotalTax": built.total_tax,
        "Total": built.total,
    }
    return errors, totals


def test_xero_sandbox_rounds_unit_amount_to_two_places_before_the_line_amount() -> None:
    errors, totals = lines_of(2, Quantity=Decimal(3), UnitAmount=Decimal("0.333"))
    line = totals["line"]
    assert errors == []
    assert isinstance(line, dict)
    assert (line["UnitAmount"], line["LineAmount"], line["TaxAmount"]) == (
        Decimal("0.33"),
        Decimal("0.99"),
        Decimal("0.15"),
    )
    assert (totals["SubTotal"], totals["TotalTax"], totals["Total"]) == (
        Decimal("0.99"),
        Decimal("0.15"),
        Decimal("1.14"),
    )


def test_xero_sandbox_keeps_four_places_of_unit_amount_with_unitdp_4() -> None:
    errors, totals = lines_of(4, Quantity=Decimal(3), UnitAmount=Decimal("0.333"))
    line = totals["line"]
    assert errors == []
    assert isinstance(line, dict)
    assert (line["UnitAmount"], line["LineAmount"], line["TaxAmount"]) == (
        Decimal("0.3330"),
        Decimal("1.00"),
        Decimal("0.15"),
    )
    assert totals["Total"] == Decimal("1.15")


def test_xero_sandbox_checks_a_stated_line_amount_against_the_rounded_inputs() -> None:
    errors, _ = lines_of(
        2, Quantity=Decimal(3), UnitAmount=Decimal("0.333"), LineAmount=Decimal("1.00")
    )
    assert errors == ["The line total 1.00 does not match the expected line total 0.99"]
    agreed, _ = lines_of(
        4, Quantity=Decimal(3), UnitAmount=Decimal("0.333"), LineAmount=Decimal("1.00")
    )
    assert agreed == []


def test_xero_sandbox_a_zero_quantity_stays_zero() -> None:
    errors, totals = lines_of(2, Quantity=0, UnitAmount=Decimal("12.50"))
    line = totals["line"]
    assert errors == []
    assert isinstance(line, dict)
    assert (line["Quantity"], line["LineAmount"], totals["Total"]) == (
        Decimal("0.0000"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_xero_sandbox_works_out_the_unit_amount_from_a_line_amount_alone() -> None:
    errors, totals = lines_of(2, Quantity=Decimal(3), LineAmount=Decimal("10.00"))
    line = totals["line"]
    assert errors == []
    assert isinstance(line, dict)
    assert (line["UnitAmount"], line["LineAmount"]) == (Decimal("3.33"), Decimal("10.00"))


def test_xero_sandbox_daily_rates_take_the_latest_day_on_or_before_the_date() -> None:
    table = parse_table({"*": "1.10", "2026-05-01": "1.15", "2026-06-01": 1.2})
    assert rate_on(table, date(2026, 4, 30)) == Decimal("1.10")
    assert rate_on(table, date(2026, 5, 1)) == Decimal("1.15")
    assert rate_on(table, date(2026, 5, 31)) == Decimal("1.15")
    assert rate_on(table, date(2027, 1, 1)) == Decimal("1.2")
    dated_only = parse_table({"2026-05-01": "1.15"})
    assert rate_on(dated_only, date(2020, 1, 1)) == Decimal("1.15")
    assert parse_table("0.123456789012345678") == {EVERY_DAY: Decimal("0.123456789012345678")}


@pytest.mark.parametrize("bad", ["0", "-1", "abc", {"yesterday": "1.2"}, {}, "NaN"])
def test_xero_sandbox_refuses_unusable_rates(bad: object) -> None:
    with pytest.raises(RateSpecError):
        parse_table(bad)


def test_xero_sandbox_default_rates_are_relative_to_the_base_currency() -> None:
    assert default_table("GBP", "USD") == {EVERY_DAY: Decimal("1.270000")}
    assert default_table("USD", "GBP") == {EVERY_DAY: Decimal("0.787402")}
    assert default_table("USD", "EUR") == {EVERY_DAY: Decimal("0.921260")}
    with pytest.raises(RateSpecError):
        default_table("GBP", "XYZ")


def test_xero_sandbox_a_document_takes_its_rate_given_daily_or_base() -> None:
    tenant = build_tenant(
        {"currencies": ["GBP", "USD"], "rates": {"USD": {"*": "1.25", "2026-05-02": "1.30"}}}, NOW
    )
    errors: list[str] = []
    assert currency_rate(tenant, None, "GBP", date(2026, 5, 1), errors) == Decimal(1)
    assert currency_rate(tenant, Decimal("0.9"), "GBP", date(2026, 5, 1), errors) == Decimal(1)
    assert currency_rate(tenant, None, "USD", date(2026, 5, 1), errors) == Decimal("1.25")
    assert currency_rate(tenant, None, "USD", date(2026, 5, 2), errors) == Decimal("1.30")
    given = Decimal("1.234567891")
    assert currency_rate(tenant, given, "USD", date(2026, 5, 1), errors) == given
    assert errors == []
    currency_rate(tenant, Decimal(0), "USD", date(2026, 5, 1), errors)
    assert errors == ["The CurrencyRate must be greater than zero."]
