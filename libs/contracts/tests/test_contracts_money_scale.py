"""Every amount on the wire is written with its currency's ISO 4217 minor unit; unit prices
and quantities keep at most four places (what Xero holds); amounts are bounded."""

import json
from decimal import Decimal
from typing import Any

import pytest
from countersign_contracts import TOLERANT, Bill, LineItem, minor_units
from pydantic import ValidationError


def _line(make_bill: Any, **changes: Any) -> Any:
    first = make_bill().lines[0]
    return LineItem.model_validate({**first.model_dump(), **changes})


@pytest.mark.parametrize(
    ("currency", "places"), [("GBP", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4), ("NZD", 2)]
)
def test_minor_units_follow_iso_4217(currency: str, places: int) -> None:
    assert minor_units(currency) == places


def test_a_producer_writes_every_amount_with_the_currency_s_places(make_bill: Any) -> None:
    line = _line(
        make_bill,
        quantity=Decimal("3"),
        unit_amount=Decimal("2"),
        tax_amount=Decimal("1.2"),
        line_amount=Decimal("6"),
    )
    bill = make_bill(lines=[line], subtotal=Decimal("6"), total_tax=Decimal("1.2"))

    wire = json.loads(bill.model_dump_json())

    assert (wire["subtotal"], wire["total_tax"]) == ("6.00", "1.20")
    first = wire["lines"][0]
    assert (first["quantity"], first["unit_amount"]) == ("3", "2.00")
    assert (first["tax_amount"], first["line_amount"]) == ("1.20", "6.00")


def test_a_yen_bill_has_no_decimal_places(make_bill: Any) -> None:
    line = _line(
        make_bill,
        unit_amount=Decimal("1000.0000"),
        tax_amount=Decimal("100.00"),
        line_amount=Decimal("1000.00"),
    )
    bill = make_bill(
        currency="JPY",
        lines=[line],
        subtotal=Decimal("1000.00"),
        total_tax=Decimal("100"),
        total=Decimal("1100.0"),
    )

    wire = json.loads(bill.model_dump_json())

    assert (wire["subtotal"], wire["total_tax"], wire["total"]) == ("1000", "100", "1100")
    assert wire["lines"][0]["unit_amount"] == "1000"


def test_a_unit_price_keeps_up_to_four_places(make_bill: Any) -> None:
    line = _line(make_bill, unit_amount=Decimal("0.333"))

    assert make_bill(lines=[line]).lines[0].unit_amount.as_tuple().exponent == -3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total": Decimal("0.301")}, "total"),
        ({"total_tax": Decimal("0.061")}, "total_tax"),
        ({"currency": "JPY"}, "subtotal"),
    ],
)
def test_a_producer_may_not_write_more_places_than_the_currency_has(
    make_bill: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError, match=field):
        make_bill(**changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit_amount": Decimal("0.33333")}, "more than 4 decimal places"),
        ({"quantity": Decimal("1.00001")}, "more than 4 decimal places"),
        ({"line_amount": Decimal("0.105")}, "more decimal places than GBP"),
    ],
)
def test_a_line_keeps_xero_s_places(make_bill: Any, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make_bill(lines=[_line(make_bill, **changes)])


@pytest.mark.parametrize(
    "changes",
    [
        {"total": Decimal("1" * 30)},
        {"total": Decimal("-1000000000000")},
        {"subtotal": Decimal("1000000000000.00")},
    ],
)
def test_an_amount_of_a_trillion_or_more_is_refused(make_bill: Any, changes: Any) -> None:
    with pytest.raises(ValidationError, match="less than 1,000,000,000,000"):
        make_bill(**changes)


def test_a_quantity_of_a_billion_is_refused(make_bill: Any) -> None:
    with pytest.raises(ValidationError, match="less than 1,000,000,000"):
        make_bill(lines=[_line(make_bill, quantity=Decimal("1000000000"))])


def test_a_tolerant_reader_pads_what_it_can_and_keeps_the_rest(make_bill: Any) -> None:
    wire = json.loads(make_bill().model_dump_json())
    wire["total_tax"] = "0.06"
    wire["total"] = "0.3"
    wire["subtotal"] = "0.245"  # an older producer's slip: kept, not refused

    read = Bill.model_validate(wire, context=TOLERANT)

    assert (str(read.total), str(read.subtotal)) == ("0.30", "0.245")
