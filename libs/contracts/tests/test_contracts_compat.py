"""The compatibility rules, on schemas generated from pairs of pydantic models: the V1 models
below are the "published" contract, each test writes the V2 a developer might try next."""

import copy
from enum import StrEnum
from typing import Any

from countersign_contracts import Amount, ContractModel, CurrencyCode, breaking_changes
from countersign_contracts._schemas import event_schemas
from pydantic import BaseModel, ConfigDict, Field


class LineAmountTypeV1(StrEnum):
    EXCLUSIVE = "exclusive"
    INCLUSIVE = "inclusive"
    NO_TAX = "no_tax"


class LineV1(ContractModel):
    description: str = Field(max_length=4000)
    account_code: str
    tax_amount: Amount
    item_code: str | None = None


class BillV1(ContractModel):
    currency: CurrencyCode
    line_amount_type: LineAmountTypeV1
    lines: list[LineV1]


def changes(old: type[BaseModel], new: type[BaseModel]) -> list[tuple[str, str]]:
    found = breaking_changes(old.model_json_schema(), new.model_json_schema())
    return [(b.path, b.rule) for b in found]


def test_an_unchanged_model_has_no_breaking_change() -> None:
    assert changes(BillV1, BillV1) == []


def test_removing_a_field_is_breaking() -> None:
    class LineV2(ContractModel):
        description: str = Field(max_length=4000)
        account_code: str
        item_code: str | None = None

    class BillV2(ContractModel):
        currency: CurrencyCode
        line_amount_type: LineAmountTypeV1
        lines: list[LineV2]

    assert changes(BillV1, BillV2) == [("$.lines[*].tax_amount", "property_removed")]


def test_renaming_a_field_is_breaking() -> None:
    class LineV2(ContractModel):
        description: str = Field(max_length=4000)
        account_code: str
        tax: Amount
        item_code: str | None = None

    class BillV2(ContractModel):
        currency: CurrencyCode
        line_amount_type: LineAmountTypeV1
        lines: list[LineV2]

    assert changes(BillV1, BillV2) == [
        ("$.lines[*].tax_amount", "property_removed"),
        ("$.lines[*].tax", "required_added"),
    ]


def test_changing_a_field_type_is_breaking() -> None:
    class LineV2(ContractModel):
        description: str = Field(max_length=4000)
        account_code: int
        tax_amount: float
        item_code: str | None = None

    class BillV2(ContractModel):
        currency: CurrencyCode
        line_amount_type: LineAmountTypeV1
        lines: list[LineV2]

    assert changes(BillV1, BillV2) == [
        ("$.lines[*].account_code", "type_changed"),
        ("$.lines[*].tax_amount", "type_changed"),
    ]


def test_changing_what_a_reference_points_to_is_breaking() -> None:
    class BillV2(ContractModel):
        currency: CurrencyCode
        line_amount_type: LineAmountTypeV1
        lines: list[str]

    assert changes(BillV1, BillV2) == [("$.lines[*]", "type_changed")]


def test_making_an_optional_field_required_is_breaking() -> None:
    class LineV2(ContractModel):
        description: str = Field(max_length=4000)
        account_code: str
        tax_amount: Amount
        item_code: str | None

    class BillV2(ContractModel):
        currency: CurrencyCode
        line_amount_type: LineAmountTypeV1
        lines: list[LineV2]

    assert changes(BillV1, BillV2) == [("$.lines[*].item_code", "made_required")]


def test_making_a_nullable_field_non_nullable_is_breaking() -> None:
    class LineV2(ContractModel):
        description: str = Field(max_length=4000)
        account_code: str
        tax_amount: Amount
        item_code: str = ""

    class BillV2(ContractModel):
        currency: CurrencyCode
        line_amount_type: LineAmountTypeV1
        lines: list[LineV2]

    assert changes(BillV1, BillV2) == [("$.lines[*].item_code", "type_changed")]


def test_making_a_required_field_optional_is_breaking() -> None:
    class BillV2(ContractModel):
        currency: CurrencyCode = "GBP"
        line_amount_type: LineAmountTypeV1
        lines: list[LineV1]

    assert changes(BillV1, BillV2) == [("$.currency", "made_optional")]


def test_removing_an_enum_value_is_breaking() -> None:
    class LineAmountTypeV2(StrEnum):
        EXCLUSIVE = "exclusive"
        INCLUSIVE = "inclusive"

    class BillV2(ContractModel):
        currency: CurrencyCode
        line_amount_type: LineAmountTypeV2
        lines: list[LineV1]

    found = breaking_changes(BillV1.model_json_schema(), BillV2.model_json_schema())

    assert [(b.path, b.rule) for b in found] == [("$.line_amount_type", "enum_value_removed")]
    assert "'no_tax'" in str(found[0])


def test_adding_a_required_field_is_breaking() -> None:
    class LineV2(ContractModel):
        description: str = Field(max_length=4000)
        account_code: str
        tax_amount: Amount
        item_code: str | None = None
        tax_type: str

    class BillV2(ContractModel):
        currency: CurrencyCode
        line_amount_type: LineAmountTypeV1
        lines: list[LineV2]

    assert changes(BillV1, BillV2) == [("$.lines[*].tax_type", "required_added")]


def test_narrowing_a_constraint_is_breaking_and_widening_it_is_not() -> None:
    class NarrowLine(ContractModel):
        description: str = Field(max_length=100)
        account_code: str = Field(pattern=r"^\d+$")
        tax_amount: Amount
        item_code: str | None = None

    class WideLine(ContractModel):
        description: str
        account_code: str
        tax_amount: Amount
        item_code: str | None = None

    assert changes(LineV1, NarrowLine) == [
        ("$.description", "constraint_narrowed"),
        ("$.account_code", "constraint_narrowed"),
    ]
    assert changes(LineV1, WideLine) == []


def test_refusing_unknown_properties_is_breaking() -> None:
    class OpenLine(BaseModel):
        model_config = ConfigDict(extra="allow")
        description: str

    class ClosedLine(BaseModel):
        model_config = ConfigDict(extra="forbid")
        description: str

    assert changes(OpenLine, ClosedLine) == [("$", "additional_properties_tightened")]


def test_an_optional_field_and_an_enum_value_are_additive() -> None:
    class LineAmountTypeV2(StrEnum):
        EXCLUSIVE = "exclusive"
        INCLUSIVE = "inclusive"
        NO_TAX = "no_tax"
        REVERSE_CHARGE = "reverse_charge"

    class LineV2(ContractModel):
        description: str = Field(max_length=4000, description="Shown on the Xero bill")
        account_code: str
        tax_amount: Amount
        item_code: str | None = None
        tracking_note: str | None = None

    class BillV2(ContractModel):
        """Now with a docstring."""

        currency: CurrencyCode
        line_amount_type: LineAmountTypeV2
        lines: list[LineV2]
        exchange_rate: Amount | None = None

    assert BillV1.model_json_schema() != BillV2.model_json_schema()
    assert changes(BillV1, BillV2) == []


def test_recursive_definitions_are_compared_without_looping() -> None:
    class NodeV1(BaseModel):
        name: str
        size: int
        children: list["NodeV1"] = []

    class NodeV2(BaseModel):
        name: str
        children: list["NodeV2"] = []

    assert changes(NodeV1, NodeV2) == [("$.size", "property_removed")]


def test_every_published_schema_is_compatible_with_itself() -> None:
    for schema in event_schemas().values():
        assert breaking_changes(schema, copy.deepcopy(schema)) == []


def test_changing_the_event_type_constant_is_breaking() -> None:
    old = event_schemas()["dext.cost-items.v1/CostItemSubmitted.json"]
    new: dict[str, Any] = copy.deepcopy(old)
    new["properties"]["event_type"]["const"] = "CostItemPublished"

    found = breaking_changes(old, new)

    assert [(b.path, b.rule) for b in found] == [("$.event_type", "enum_value_removed")]
