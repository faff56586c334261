"""A record is handled only when its ce_source header and its envelope both name its topic's
producer (ADR 0061); anything else is dead-lettered, naming who was expected and who it names,
and no handler runs."""

from __future__ import annotations

import pytest
from countersign_contracts import dlq_topic
from countersign_platform.consumer import ConsumedRecord, EventConsumer, Outcome

from libs.platform.tests.fakes import FakeDatabase, FakeProducer
from libs.platform.tests.test_consumer import GROUP, TOPIC, Handler, record, submitted, subscription


def signed_as(envelope_producer: str, ce_source: str | None) -> ConsumedRecord:
    """A cost item (a topic ingest produces) naming these producers."""
    event = submitted("item-1").model_copy(update={"producer": envelope_producer})
    sent = record(event, offset=7)
    headers = [(k, v) for k, v in sent.headers if k != "ce_source"]
    if ce_source is not None:
        headers.append(("ce_source", ce_source.encode()))
    return ConsumedRecord(sent.topic, sent.partition, sent.offset, sent.key, sent.value, headers)


async def test_a_record_from_the_topics_producer_is_handled() -> None:
    db, dead_letters, handler = FakeDatabase(), FakeProducer(), Handler()

    outcome = await EventConsumer(db, dead_letters).consume(
        subscription(handler), signed_as("ingest", "ingest")
    )

    assert outcome is Outcome.PROCESSED
    assert handler.calls == ["item-1"] and dead_letters.sent == []


@pytest.mark.parametrize(
    ("envelope_producer", "ce_source"),
    [
        ("approval", "approval"),  # another service's, header and envelope agreeing
        ("ingest", "publisher"),  # the header disagrees with the envelope
        ("publisher", "ingest"),  # the envelope disagrees with the header
        ("ingest", None),  # no header to vouch for the envelope
    ],
)
async def test_a_record_not_from_the_topics_producer_is_dead_lettered_naming_both_unhandled(
    envelope_producer: str, ce_source: str | None
) -> None:
    db, dead_letters, handler = FakeDatabase(), FakeProducer(), Handler()

    outcome = await EventConsumer(db, dead_letters).consume(
        subscription(handler), signed_as(envelope_producer, ce_source)
    )

    assert outcome is Outcome.DEAD_LETTERED
    assert handler.calls == [] and db.acquisitions == 0
    [dead] = dead_letters.acknowledged
    assert dead.topic == dlq_topic(TOPIC, GROUP)
    assert dead.headers["dlq_reason"] == "unexpected_producer"
    assert dead.headers["dlq_error"] == (
        f"dext.cost-items.v1 is produced by 'ingest' only; this record names"
        f" {envelope_producer!r} in its envelope and {ce_source!r} in its ce_source header"
    )


async def test_in_a_batch_only_the_foreign_record_is_dead_lettered() -> None:
    db, dead_letters, handler = FakeDatabase(), FakeProducer(), Handler()
    genuine = record(submitted("item-2"), offset=8)

    outcomes = await EventConsumer(db, dead_letters).consume_batch(
        subscription(handler), [signed_as("approval", "approval"), genuine]
    )

    assert outcomes == [Outcome.DEAD_LETTERED, Outcome.PROCESSED]
    assert handler.calls == ["item-2"]
