import json
from collections.abc import Callable
from typing import Any

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    COST_ITEMS,
    AuditAction,
    AuditEntry,
    ContractViolation,
    CostItemSubmitted,
    DocumentType,
    Envelope,
    EventPayload,
    Supplier,
    decode,
    encode,
    envelope_type,
    is_iso_currency,
)
from pydantic import ValidationError


@pytest.fixture
def wire(wrap: Callable[..., Envelope[Any]]) -> Callable[[EventPayload], dict[str, Any]]:
    """The example event as a consumer receives it, as a dict to tamper with."""

    def wire(payload: EventPayload) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(encode(wrap(payload)))
        return data

    return wire


Wire = Callable[[EventPayload], dict[str, Any]]


def raw(data: object) -> bytes:
    return json.dumps(data).encode()


def violation(topic: str, value: bytes) -> ContractViolation:
    with pytest.raises(ContractViolation) as caught:
        decode(topic, value)
    return caught.value


def test_a_tolerant_reader_ignores_fields_added_at_any_depth(
    examples: dict[str, EventPayload],
    wire: Wire,
) -> None:
    data = wire(examples["CostItemSubmitted"])
    data["schema_version"] = "1.7"
    data["partition_hint"] = 3
    data["payload"]["priority"] = "high"
    data["payload"]["bill"]["po_number"] = "PO-77"
    data["payload"]["bill"]["supplier"]["vat_number"] = "GB1"
    data["payload"]["bill"]["lines"][0]["discount_rate"] = "5"
    data["payload"]["bill"]["lines"][0]["tracking"][0]["colour"] = "blue"

    envelope = decode(COST_ITEMS, raw(data))

    assert envelope.schema_version == "1.7"
    assert envelope.payload == examples["CostItemSubmitted"]


def test_a_producer_cannot_emit_a_field_the_contract_does_not_describe(
    examples: dict[str, EventPayload],
    wire: Wire,
) -> None:
    with pytest.raises(ValidationError, match="vat_number"):
        Supplier(name="Paper & Co Ltd", vat_number="GB1")  # type: ignore[call-arg]

    data = wire(examples["CostItemSubmitted"])
    data["payload"]["bill"]["lines"][0]["discount_rate"] = "5"
    with pytest.raises(ValidationError, match="discount_rate"):
        envelope_type(CostItemSubmitted).model_validate(data)


def test_contract_models_are_immutable(examples: dict[str, EventPayload]) -> None:
    with pytest.raises(ValidationError, match="frozen"):
        examples["CostItemSubmitted"].version = 3  # type: ignore[attr-defined]


def test_an_open_enum_value_from_a_newer_minor_decodes_as_other(
    examples: dict[str, EventPayload],
    wire: Wire,
) -> None:
    data = wire(examples["RequestAuthorised"])
    data["payload"]["audit_trail"][0]["action"] = "delegated"
    data["payload"]["bill"]["document_type"] = "purchase_order"

    payload = decode(APPROVAL_REQUESTS, raw(data)).payload

    assert payload.audit_trail[0].action is AuditAction.OTHER
    assert payload.bill.document_type is DocumentType.OTHER


def test_a_producer_cannot_emit_an_unknown_open_enum_value() -> None:
    with pytest.raises(ValidationError, match="action"):
        AuditEntry.model_validate(
            {
                "at": "2026-05-01T09:30:00Z",
                "actor": {"kind": "system", "name": "Countersign"},
                "action": "delegated",
            }
        )


def test_an_unknown_value_of_a_closed_enum_is_an_invalid_payload(
    examples: dict[str, EventPayload],
    wire: Wire,
) -> None:
    data = wire(examples["CostItemSubmitted"])
    data["payload"]["bill"]["line_amount_type"] = "gross"

    error = violation(COST_ITEMS, raw(data))

    assert error.reason == "invalid_payload"
    assert "payload.bill.line_amount_type" in error.detail


@pytest.mark.parametrize("value", [b"{not json", b"\xff\xfe", b'{"a": NaN}', b""])
def test_a_value_that_is_not_json_is_reported_as_not_json(value: bytes) -> None:
    assert violation(COST_ITEMS, value).reason == "not_json"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data: [data],
        lambda data: {**data, "schema_version": "one"},
        lambda data: {key: value for key, value in data.items() if key != "event_id"},
        lambda data: {**data, "occurred_at": "2026-05-01T09:30:00"},
        lambda data: {**data, "event_type": 42},
    ],
    ids=["not-an-object", "bad-version", "no-event-id", "naive-time", "event-type-not-text"],
)
def test_a_broken_envelope_is_reported_as_invalid_envelope(
    examples: dict[str, EventPayload], wire: Wire, tamper: Any
) -> None:
    error = violation(COST_ITEMS, raw(tamper(wire(examples["CostItemSubmitted"]))))

    assert error.reason == "invalid_envelope"


def test_an_event_type_the_topic_does_not_carry_is_reported(
    examples: dict[str, EventPayload],
    wire: Wire,
) -> None:
    data = wire(examples["CostItemSubmitted"])
    data["event_type"] = "CostItemArchived"

    error = violation(COST_ITEMS, raw(data))

    assert error.reason == "unknown_event_type"
    assert "CostItemSubmitted, CostItemWithdrawn" in error.detail


def test_an_event_of_another_topic_is_an_unknown_event_type_here(
    examples: dict[str, EventPayload],
    wire: Wire,
) -> None:
    value = raw(wire(examples["CostItemSubmitted"]))

    assert violation(APPROVAL_REQUESTS, value).reason == "unknown_event_type"


def test_another_major_version_is_unsupported_but_a_later_minor_is_read(
    examples: dict[str, EventPayload],
    wire: Wire,
) -> None:
    data = wire(examples["CostItemSubmitted"])

    error = violation(COST_ITEMS, raw({**data, "schema_version": "2.0"}))
    later_minor = decode(COST_ITEMS, raw({**data, "schema_version": "1.12"}))

    assert error.reason == "unsupported_version"
    assert "2.0" in error.detail
    assert later_minor.payload == examples["CostItemSubmitted"]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("bill", "total"), 0.36, "not a float"),
        (("bill", "currency"), "ABC", "not an active ISO 4217"),
        (("bill", "currency"), "gbp", "pattern"),
        (("bill", "lines"), [], "at least 1"),
        (("bill", "payment"), {"paid": True}, "bank account"),
        (("version",), 0, "greater than or equal to 1"),
    ],
)
def test_a_payload_that_breaks_the_contract_is_an_invalid_payload(
    examples: dict[str, EventPayload],
    wire: Wire,
    path: tuple[str, ...],
    value: object,
    message: str,
) -> None:
    data = wire(examples["CostItemSubmitted"])
    target = data["payload"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    error = violation(COST_ITEMS, raw(data))

    assert error.reason == "invalid_payload"
    assert message in error.detail
    assert error.topic == COST_ITEMS


def test_a_missing_payload_field_names_its_path(
    examples: dict[str, EventPayload], wire: Wire
) -> None:
    data = wire(examples["CostItemSubmitted"])
    del data["payload"]["bill"]["lines"][1]["tax_amount"]

    error = violation(COST_ITEMS, raw(data))

    assert error.reason == "invalid_payload"
    assert "payload.bill.lines.1.tax_amount: Field required" in error.detail


def test_a_topic_without_a_contract_is_reported(
    examples: dict[str, EventPayload], wire: Wire
) -> None:
    value = raw(wire(examples["CostItemSubmitted"]))

    assert violation("dext.cost-items.v2", value).reason == "unknown_topic"


def test_iso_currency_codes_are_the_active_ones() -> None:
    assert all(is_iso_currency(code) for code in ("GBP", "EUR", "USD", "NZD", "JPY", "XCG"))
    assert not any(is_iso_currency(code) for code in ("gbp", "ABC", "XXX", "XTS", "HRK", "XAU"))
