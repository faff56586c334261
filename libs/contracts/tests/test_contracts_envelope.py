import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    COST_ITEMS,
    LEDGER_PUBLICATIONS,
    TOPICS,
    CostItemSubmitted,
    Envelope,
    EventPayload,
    decode,
    dlq_topic,
    encode,
    envelope_type,
    kafka_headers,
    new_event_id,
    topic_for,
)
from pydantic import ValidationError

Wrap = Callable[..., Envelope[Any]]

ALL_EVENT_TYPES = sorted(
    event_type for topic in TOPICS.values() for event_type in topic.event_types
)


def test_examples_cover_every_event_type(examples: dict[str, EventPayload]) -> None:
    assert sorted(examples) == ALL_EVENT_TYPES
    assert len(ALL_EVENT_TYPES) == 44


@pytest.mark.parametrize("event_type", ALL_EVENT_TYPES)
def test_every_event_type_survives_encode_then_decode_unchanged(
    examples: dict[str, EventPayload], wrap: Wrap, event_type: str
) -> None:
    payload = examples[event_type]
    envelope = wrap(payload)

    decoded = decode(topic_for(payload).name, encode(envelope))

    assert decoded == envelope
    assert type(decoded.payload) is type(payload)


def test_new_envelope_stamps_type_version_key_and_ids(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    cause, journey = new_event_id(), new_event_id()
    payload = examples["RequestAuthorised"]

    envelope = wrap(payload, causation_id=cause, correlation_id=journey)

    assert envelope.event_type == "RequestAuthorised"
    assert envelope.schema_version == TOPICS[APPROVAL_REQUESTS].version == "1.11"
    assert envelope.subject_id == str(payload.request_id)  # type: ignore[attr-defined]
    assert (envelope.causation_id, envelope.correlation_id) == (cause, journey)
    assert envelope.event_id.version == 7
    assert envelope.occurred_at.utcoffset() == timedelta(0)


def test_the_kafka_key_is_the_aggregate_id_of_each_topic(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    bill_created = examples["BillCreated"]

    assert wrap(examples["CostItemSubmitted"]).subject_id == "8812-4471"
    assert wrap(bill_created).subject_id == str(bill_created.publication_id)  # type: ignore[attr-defined]
    assert topic_for(bill_created).name == LEDGER_PUBLICATIONS


def test_amounts_keep_every_digit_exactly(examples: dict[str, EventPayload], wrap: Wrap) -> None:
    raw = encode(wrap(examples["CostItemSubmitted"]))

    bill = decode(COST_ITEMS, raw).payload.bill
    amounts = [line.line_amount for line in bill.lines]

    assert amounts == [Decimal("0.10"), Decimal("0.20")]
    assert sum(amounts) == Decimal("0.30") == bill.subtotal
    assert str(bill.lines[1].quantity) == "2.5000"
    assert b'"unit_amount":"0.10"' in raw


@pytest.mark.parametrize("event_type", ALL_EVENT_TYPES)
def test_no_number_on_the_wire_is_a_float(
    examples: dict[str, EventPayload], wrap: Wrap, event_type: str
) -> None:
    def refuse(text: str) -> float:
        raise AssertionError(f"a float on the wire: {text}")

    raw = encode(wrap(examples[event_type]))

    json.loads(raw, parse_float=refuse)


def test_an_amount_in_exponent_form_is_written_as_plain_digits(make_bill: Any) -> None:
    bill = make_bill(total=Decimal("1E+2"), total_tax=Decimal("0.060"))

    wire = json.loads(bill.model_dump_json())

    assert (wire["total"], wire["total_tax"]) == ("100.00", "0.06")


@pytest.mark.parametrize("amount", [0.1, 0.30000000000000004])
def test_a_float_amount_is_refused_because_it_loses_precision(
    make_bill: Any, amount: float
) -> None:
    with pytest.raises(ValidationError, match="not a float"):
        make_bill(total=amount)


@pytest.mark.parametrize("text", ["1e3", "+1.00", ".5", "1.", "1,00", " 1", "NaN", ""])
def test_an_amount_that_is_not_a_plain_decimal_string_is_refused(make_bill: Any, text: str) -> None:
    with pytest.raises(ValidationError, match="decimal string"):
        make_bill(total=text)


def test_timestamps_are_normalised_to_utc_and_written_with_z(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    paris = timezone(timedelta(hours=2))
    envelope = wrap(
        examples["CostItemWithdrawn"], occurred_at=datetime(2026, 5, 1, 11, 30, tzinfo=paris)
    )

    wire = json.loads(encode(envelope))

    assert wire["occurred_at"] == "2026-05-01T09:30:00Z"
    assert wire["payload"]["withdrawn_at"] == "2026-05-01T09:30:00Z"


def test_a_naive_timestamp_is_refused(examples: dict[str, EventPayload], wrap: Wrap) -> None:
    with pytest.raises(ValidationError, match="timezone"):
        wrap(examples["CostItemWithdrawn"], occurred_at=datetime(2026, 5, 1, 9, 30))


def test_kafka_headers_mirror_the_envelope(examples: dict[str, EventPayload], wrap: Wrap) -> None:
    envelope = wrap(examples["CostItemSubmitted"], producer="ingest")

    headers = kafka_headers(envelope)

    assert headers == {
        "ce_specversion": "1.0",
        "ce_id": str(envelope.event_id),
        "ce_type": "CostItemSubmitted",
        "ce_source": "ingest",
        "ce_time": envelope.occurred_at.isoformat().replace("+00:00", "Z"),
        "ce_subject": "8812-4471",
        "content-type": "application/json",
        "organisation_id": str(envelope.organisation_id),
        "correlation_id": str(envelope.correlation_id),
        "traceparent": headers["traceparent"],
    }
    assert headers["ce_time"].endswith("Z")


def test_traceparent_is_valid_w3c_with_the_journey_as_trace(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    envelope = wrap(examples["CostItemSubmitted"])

    traceparent = kafka_headers(envelope)["traceparent"]

    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", traceparent)
    _, trace_id, span_id, _ = traceparent.split("-")
    assert trace_id == envelope.correlation_id.hex
    assert span_id == envelope.event_id.bytes[8:].hex()


def test_traceparent_never_uses_the_invalid_all_zero_trace_id(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    envelope = wrap(examples["CostItemSubmitted"], correlation_id=UUID(int=0))

    trace_id = kafka_headers(envelope)["traceparent"].split("-")[1]

    assert trace_id == envelope.event_id.hex != "0" * 32


def test_event_ids_are_uuid7_and_sort_by_creation_time() -> None:
    before_ms = time.time_ns() // 1_000_000
    ids = [new_event_id() for _ in range(200)]
    after_ms = time.time_ns() // 1_000_000

    assert all(event_id.version == 7 for event_id in ids)
    assert all(event_id.variant == "specified in RFC 4122" for event_id in ids)
    assert len(set(ids)) == 200
    time_prefixes = [event_id.int >> 64 for event_id in ids]  # ms, version, sub-ms fraction
    assert time_prefixes == sorted(time_prefixes)
    assert before_ms <= ids[0].int >> 80 <= ids[-1].int >> 80 <= after_ms


def test_an_envelope_whose_event_type_disagrees_with_its_payload_is_refused(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    envelope = wrap(examples["CostItemSubmitted"])

    with pytest.raises(ValidationError, match="does not match the payload"):
        envelope_type(CostItemSubmitted).model_validate(
            {**envelope.model_dump(), "event_type": "CostItemWithdrawn"}
        )


def test_a_payload_on_no_topic_has_no_envelope(wrap: Wrap) -> None:
    class Unpublished(EventPayload):
        note: str

    with pytest.raises(LookupError, match="Unpublished is not published"):
        wrap(Unpublished(note="x"))


def test_dead_letter_topics_are_named_per_consumer_group() -> None:
    assert dlq_topic(COST_ITEMS, "approval") == "dext.cost-items.v1.dlq.approval"
