"""The consumer's settling of records without a broker or a database: decode, inbox, handler,
commit; one transaction per poll; bounded retries, then the dead-letter queue."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from countersign_contracts import (
    COST_ITEMS,
    CostItemSubmitted,
    CostItemWithdrawn,
    Envelope,
    dlq_topic,
    encode,
    kafka_headers,
    new_envelope,
)
from countersign_harness.samples import cost_item_submitted
from countersign_platform import consumer
from countersign_platform.consumer import ConsumedRecord, EventConsumer, Outcome
from countersign_platform.subscription import On, Subscription

from libs.platform.tests.fakes import FakeConnection, FakeDatabase, FakeProducer

GROUP = "probe"
TOPIC = f"stack-7.{COST_ITEMS}"  # as named on the cluster, prefix included
ORG = uuid.uuid4()


class Handler:
    """Writes a ``seen`` row for each event; raises for a subject in ``failing`` as many
    times as it says (``math.inf``: always)."""

    def __init__(self, failing: Mapping[str, float] | None = None) -> None:
        self.calls: list[str] = []
        self._failing = dict(failing or {})

    async def __call__(self, conn: FakeConnection, envelope: Envelope[Any]) -> None:
        subject = envelope.subject_id
        self.calls.append(subject)
        await conn.execute("INSERT INTO seen (subject_id) VALUES ($1)", subject)
        if self._failing.get(subject, 0) > 0:
            self._failing[subject] -= 1
            raise ValueError(f"{subject}: supplier not in the chart of accounts")


def subscription(handler: Handler) -> Subscription:
    return Subscription(COST_ITEMS, GROUP, On(CostItemSubmitted, handler))


def submitted(subject: str) -> Envelope[CostItemSubmitted]:
    return cost_item_submitted(ORG, subject)


def withdrawn(subject: str) -> Envelope[CostItemWithdrawn]:
    payload = CostItemWithdrawn(dext_item_id=subject, version=1, withdrawn_at=datetime.now(UTC))
    return new_envelope(payload, organisation_id=ORG, correlation_id=uuid.uuid4(), producer="t")


def record(
    envelope: Envelope[Any],
    offset: int = 40,
    *,
    value: bytes | None = None,
    with_headers: bool = True,
) -> ConsumedRecord:
    headers = kafka_headers(envelope) if with_headers else {}
    return ConsumedRecord(
        topic=TOPIC,
        partition=3,
        offset=offset,
        key=envelope.subject_id.encode(),
        value=encode(envelope) if value is None else value,
        headers=tuple((name, text.encode()) for name, text in headers.items()),
    )


def seen(db: FakeDatabase) -> list[str]:
    return [args[0] for args in db.written("seen")]


@pytest.fixture(autouse=True)
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The consumer's pauses, noted instead of waited."""
    noted: list[float] = []
    sleep = asyncio.sleep

    async def pause(delay: float) -> None:
        noted.append(delay)
        await sleep(0)

    monkeypatch.setattr(consumer, "asyncio", SimpleNamespace(sleep=pause))
    return noted


async def test_a_new_event_is_handled_in_one_transaction_with_its_inbox_row() -> None:
    db, handler, event = FakeDatabase(), Handler(), submitted("item-1")

    outcome = await EventConsumer(db, FakeProducer()).consume(subscription(handler), record(event))

    assert outcome is Outcome.PROCESSED
    assert db.steps == ["BEGIN", "INSERT INTO inbox", "INSERT INTO seen", "COMMIT"]
    assert db.journal[1][1] == (GROUP, event.event_id, COST_ITEMS, "CostItemSubmitted")
    assert db.inbox == {(GROUP, event.event_id)}
    assert seen(db) == ["item-1"]


async def test_an_event_already_in_the_inbox_is_a_duplicate_and_its_handler_does_not_run() -> None:
    db, handler, event = FakeDatabase(), Handler(), submitted("item-1")
    db.inbox.add((GROUP, event.event_id))

    outcome = await EventConsumer(db, FakeProducer()).consume(subscription(handler), record(event))

    assert outcome is Outcome.DUPLICATE
    assert handler.calls == []
    assert db.steps == ["BEGIN", "INSERT INTO inbox", "ROLLBACK"]


async def test_an_event_another_group_has_handled_is_new_to_this_one() -> None:
    db, handler, event = FakeDatabase(), Handler(), submitted("item-1")
    db.inbox.add(("another-group", event.event_id))

    outcome = await EventConsumer(db, FakeProducer()).consume(subscription(handler), record(event))

    assert outcome is Outcome.PROCESSED
    assert handler.calls == ["item-1"]


async def test_a_record_whose_ce_type_the_subscription_does_not_handle_is_skipped_unread() -> None:
    db, dead_letters = FakeDatabase(), FakeProducer()
    unread = record(withdrawn("item-1"), value=b"\x00 not even json")

    outcome = await EventConsumer(db, dead_letters).consume(subscription(Handler()), unread)

    assert outcome is Outcome.IGNORED
    assert dead_letters.sent == []
    assert db.acquisitions == 0


async def test_a_record_without_ce_type_is_ignored_when_its_decoded_type_is_not_handled() -> None:
    db, dead_letters = FakeDatabase(), FakeProducer()
    bare = record(withdrawn("item-1"), with_headers=False)

    outcome = await EventConsumer(db, dead_letters).consume(subscription(Handler()), bare)

    assert outcome is Outcome.IGNORED
    assert dead_letters.sent == []
    assert db.acquisitions == 0


async def test_a_record_breaking_the_contract_is_dead_lettered_with_its_reason_unhandled() -> None:
    db, dead_letters, handler = FakeDatabase(), FakeProducer(), Handler()
    event = submitted("item-1")
    broken = record(event, offset=41, value=b"{not json")

    outcome = await EventConsumer(db, dead_letters).consume(subscription(handler), broken)

    assert outcome is Outcome.DEAD_LETTERED
    assert db.acquisitions == 0 and handler.calls == []
    [dead] = dead_letters.acknowledged
    assert (dead.topic, dead.key, dead.value) == (dlq_topic(TOPIC, GROUP), b"item-1", b"{not json")
    assert dead.headers["dlq_reason"] == "not_json"
    assert dead.headers["dlq_attempts"] == "1"
    assert dead.headers["dlq_original_offset"] == "41"


async def test_a_record_whose_handler_keeps_failing_is_dead_lettered_after_the_bounded_tries() -> (
    None
):
    db, dead_letters = FakeDatabase(), FakeProducer()
    handler = Handler(failing={"poison": math.inf})
    event = submitted("poison")

    outcome = await EventConsumer(db, dead_letters, max_attempts=3).consume(
        subscription(handler), record(event, offset=57)
    )

    assert outcome is Outcome.DEAD_LETTERED
    assert handler.calls == ["poison"] * 3
    assert db.steps.count("ROLLBACK") == 3 and "COMMIT" not in db.steps
    assert db.inbox == set() and seen(db) == []
    [dead] = dead_letters.acknowledged
    assert dead.topic == dlq_topic(TOPIC, GROUP)
    assert (dead.key, dead.value) == (b"poison", encode(event))
    assert {
        name: dead.headers[name]
        for name in (
            "dlq_reason",
            "dlq_error",
            "dlq_attempts",
            "dlq_group",
            "dlq_original_topic",
            "dlq_original_partition",
            "dlq_original_offset",
        )
    } == {
        "dlq_reason": "handler_failed",
        "dlq_error": "ValueError: poison: supplier not in the chart of accounts",
        "dlq_attempts": "3",
        "dlq_group": GROUP,
        "dlq_original_topic": TOPIC,
        "dlq_original_partition": "3",
        "dlq_original_offset": "57",
    }
    assert dead.headers["ce_id"] == str(event.event_id)  # the record's own headers travel along


async def test_the_tries_of_a_failing_handler_back_off_exponentially(
    pauses: list[float],
) -> None:
    handler = Handler(failing={"poison": math.inf})
    events = EventConsumer(FakeDatabase(), FakeProducer(), max_attempts=4, retry_backoff_s=0.5)

    await events.consume(subscription(handler), record(submitted("poison")))

    assert pauses == [0.5, 1.0, 2.0]


async def test_a_handler_that_fails_and_then_succeeds_is_processed_without_a_dead_letter() -> None:
    db, dead_letters = FakeDatabase(), FakeProducer()
    handler = Handler(failing={"item-1": 2})

    outcome = await EventConsumer(db, dead_letters, max_attempts=3).consume(
        subscription(handler), record(submitted("item-1"))
    )

    assert outcome is Outcome.PROCESSED
    assert handler.calls == ["item-1"] * 3
    assert seen(db) == ["item-1"]  # the failed tries' writes were rolled back
    assert dead_letters.sent == []


async def test_a_long_error_is_cut_to_two_thousand_characters_in_the_dead_letter() -> None:
    async def verbose(conn: FakeConnection, envelope: Envelope[Any]) -> None:
        raise ValueError("x" * 5000)

    dead_letters = FakeProducer()
    table = Subscription(COST_ITEMS, GROUP, On(CostItemSubmitted, verbose))

    await EventConsumer(FakeDatabase(), dead_letters, max_attempts=1).consume(
        table, record(submitted("item-1"))
    )

    [dead] = dead_letters.sent
    assert len(dead.headers["dlq_error"]) == 2000


async def test_a_dead_letter_the_broker_refuses_fails_the_record_instead_of_settling_it() -> None:
    dead_letters = FakeProducer(refusal=ConnectionResetError("broker went away"))

    with pytest.raises(ConnectionResetError):
        await EventConsumer(FakeDatabase(), dead_letters).consume(
            subscription(Handler()), record(submitted("item-1"), value=b"{not json")
        )


async def test_a_database_outage_is_retried_until_it_ends_without_counting_tries(
    pauses: list[float],
) -> None:
    db, dead_letters = FakeDatabase(), FakeProducer()
    db.outages = 3
    handler = Handler(failing={"item-1": 1})

    outcome = await EventConsumer(db, dead_letters, max_attempts=2, retry_backoff_s=0.3).consume(
        subscription(handler), record(submitted("item-1"))
    )

    # Had the outage counted, the handler's one failure would have been past the last try.
    assert outcome is Outcome.PROCESSED
    assert dead_letters.sent == []
    assert pauses == [consumer._OUTAGE_RETRY_S] * 3 + [0.3]
    assert seen(db) == ["item-1"]


async def test_a_polls_records_are_handled_in_one_transaction() -> None:
    db, handler = FakeDatabase(), Handler()
    events = [submitted(f"item-{n}") for n in range(3)]

    outcomes = await EventConsumer(db, FakeProducer()).consume_batch(
        subscription(handler), [record(e, offset=n) for n, e in enumerate(events)]
    )

    assert outcomes == [Outcome.PROCESSED] * 3
    assert db.steps.count("BEGIN") == 1 and db.steps[-1] == "COMMIT"
    assert seen(db) == ["item-0", "item-1", "item-2"]
    assert db.inbox == {(GROUP, e.event_id) for e in events}


async def test_one_failing_record_of_a_poll_costs_the_others_nothing_but_a_second_try() -> None:
    db, dead_letters = FakeDatabase(), FakeProducer()
    handler = Handler(failing={"poison": math.inf})
    events = [submitted("item-1"), submitted("poison"), submitted("item-3")]

    outcomes = await EventConsumer(db, dead_letters, max_attempts=3).consume_batch(
        subscription(handler), [record(e, offset=n) for n, e in enumerate(events)]
    )

    assert outcomes == [Outcome.PROCESSED, Outcome.DEAD_LETTERED, Outcome.PROCESSED]
    assert seen(db) == ["item-1", "item-3"]
    assert db.journal[db.steps.index("ROLLBACK") - 1][1] == ("poison",)  # the poll's, at poison
    # The try in the poll's transaction counts: three in all, not three more.
    assert handler.calls.count("poison") == 3
    [dead] = dead_letters.acknowledged
    assert dead.headers["dlq_attempts"] == "3" and dead.headers["dlq_original_offset"] == "1"


async def test_an_event_delivered_twice_in_one_poll_is_handled_once() -> None:
    db, handler, event = FakeDatabase(), Handler(), submitted("item-1")

    outcomes = await EventConsumer(db, FakeProducer()).consume_batch(
        subscription(handler), [record(event, offset=0), record(event, offset=1)]
    )

    assert outcomes == [Outcome.PROCESSED, Outcome.DUPLICATE]
    assert handler.calls == ["item-1"]


async def test_a_polls_outcomes_keep_the_order_of_its_records() -> None:
    db, dead_letters, handler = FakeDatabase(), FakeProducer(), Handler()
    repeated = submitted("item-0")
    db.inbox.add((GROUP, repeated.event_id))
    records = [
        record(repeated, offset=0),
        record(withdrawn("item-1"), offset=1),
        record(submitted("item-2"), offset=2),
        record(submitted("item-3"), offset=3, value=b"[]"),
        record(submitted("item-4"), offset=4),
    ]

    outcomes = await EventConsumer(db, dead_letters).consume_batch(subscription(handler), records)

    assert outcomes == [
        Outcome.DUPLICATE,
        Outcome.IGNORED,
        Outcome.PROCESSED,
        Outcome.DEAD_LETTERED,
        Outcome.PROCESSED,
    ]
    assert seen(db) == ["item-2", "item-4"]
    assert [d.headers["dlq_original_offset"] for d in dead_letters.sent] == ["3"]


async def test_a_database_outage_during_a_poll_counts_no_try_against_its_records() -> None:
    db, dead_letters = FakeDatabase(), FakeProducer()
    db.outages = 1  # the poll's transaction cannot begin
    handler = Handler(failing={"item-1": 1})

    outcomes = await EventConsumer(db, dead_letters, max_attempts=2).consume_batch(
        subscription(handler), [record(submitted("item-1")), record(submitted("item-2"))]
    )

    # Had the outage counted as item-1's first try, its one failure would have been its last.
    assert outcomes == [Outcome.PROCESSED, Outcome.PROCESSED]
    assert dead_letters.sent == []
    assert seen(db) == ["item-1", "item-2"]
