"""Money through JSON without a binary float, both ways."""

import json
from decimal import Decimal

import pytest
from countersign_platform import decimal_json


def test_a_decimal_is_written_as_the_number_it_is() -> None:
    body = {"Amount": Decimal("12.30"), "Rate": Decimal("1E+1"), "Qty": Decimal("0.0001")}

    assert decimal_json.dumps(body) == b'{"Amount":12.30,"Rate":10,"Qty":0.0001}'


def test_everything_else_is_written_as_json_writes_it() -> None:
    body = {"Name": 'Zoë "Ltd"', "Lines": [1, True, None], "Nested": {"A": []}}

    assert json.loads(decimal_json.dumps(body)) == body


def test_numbers_with_a_fraction_are_read_as_decimals() -> None:
    read = decimal_json.loads(b'{"Total": 4442.0, "Tax": 0.1, "Count": 3, "Big": 1e3}')

    assert read == {"Total": Decimal("4442.0"), "Tax": Decimal("0.1"), "Count": 3, "Big": 1000}
    assert isinstance(read["Big"], Decimal) and isinstance(read["Count"], int)
    assert read["Tax"] + Decimal("0.2") == Decimal("0.3")


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), float("nan")])
def test_what_has_no_json_number_is_refused(value: object) -> None:
    with pytest.raises(ValueError):
        decimal_json.dumps({"Amount": value})


def test_a_string_that_looks_like_a_number_stays_a_string() -> None:
    body = {"Reference": "12.30", "Amount": Decimal("12.30"), "Note": "@decimal-0@"}

    assert decimal_json.dumps(body) == (
        b'{"Reference":"12.30","Amount":12.30,"Note":"@decimal-0@"}'
    )


def test_nan_in_an_answer_is_not_json() -> None:
    with pytest.raises(ValueError, match="NaN"):
        decimal_json.loads(b'{"Total": NaN}')
