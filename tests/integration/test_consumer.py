"""The shared consumer on the real broker and database: inbox dedupe, bounded retries, the
dead-letter queue, and offsets that move only after the database commit."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from countersign_contracts import COST_ITEMS, Envelope, dlq_topic, encode, kafka_headers
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce, read_until
from countersign_harness.samples import cost_item_submitted
from countersign_harness.waiting import eventually
from countersign_platform.kafka_security import client_options

from tests.integration.conftest import ServiceRunner, record_seen

pytestmark = pytest.mark.integration


def as_record(envelope: Envelope[Any]) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    headers = [(name, value.encode()) for name, value in kafka_headers(envelope).items()]
    return envelope.subject_id.encode(), encode(envelope), headers


async def seen_subjects(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch("SELECT subject_id FROM seen ORDER BY subject_id")
    return [row["subject_id"] for row in rows]


def headers_of(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


async def test_duplicate_delivery_is_dropped_by_the_inbox(
    infra: Infrastructure, isolation: str, run_probe_service: ServiceRunner
) -> None:
    org = uuid.uuid4()
    first = cost_item_submitted(org, "item-1")
    sentinel = cost_item_submitted(org, "item-2")
    topic = f"{isolation}.{COST_ITEMS}"
    async with run_probe_service() as service:
        await produce(
            infra.kafka_bootstrap_servers,
            topic,
            [as_record(first), as_record(first), as_record(first), as_record(sentinel)],
        )
        seen = await eventually(lambda: seen_subjects(service.pool), lambda s: "item-2" in s)
        inbox = await service.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = $1", first.event_id
        )
    assert seen == ["item-1", "item-2"]
    assert inbox == 1


async def test_poison_message_is_retried_then_dead_lettered_and_the_consumer_goes_on(
    infra: Infrastructure, isolation: str, run_probe_service: ServiceRunner
) -> None:
    org = uuid.uuid4()
    poison = cost_item_submitted(org, "poison")
    after = cost_item_submitted(org, "after-poison")
    attempts: list[str] = []

    async def fails_on_poison(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
        await record_seen(conn, envelope)  # written, then rolled back with the failure
        if envelope.subject_id == "poison":
            attempts.append(envelope.subject_id)
            raise ValueError("supplier not in the chart of accounts")

    topic = f"{isolation}.{COST_ITEMS}"
    async with run_probe_service(fails_on_poison, consumer_max_attempts=3) as service:
        await produce(infra.kafka_bootstrap_servers, topic, [as_record(poison), as_record(after)])
        seen = await eventually(lambda: seen_subjects(service.pool), lambda s: bool(s))
        dead = await read_until(
            infra.kafka_bootstrap_servers, dlq_topic(topic, "probe"), lambda r: len(r) >= 1
        )
        poison_in_inbox = await service.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = $1", poison.event_id
        )
    assert seen == ["after-poison"]
    assert attempts == ["poison"] * 3
    assert poison_in_inbox == 0
    assert len(dead) == 1
    headers = headers_of(dead[0])
    assert dead[0].value == encode(poison)
    assert headers["dlq_reason"] == "handler_failed"
    assert "supplier not in the chart of accounts" in headers["dlq_error"]
    assert headers["dlq_attempts"] == "3"
    assert headers["dlq_original_topic"] == topic
    assert headers["ce_id"] == str(poison.event_id)  # the original headers travel along


def _wrong_major(envelope: Envelope[Any]) -> bytes:
    data = json.loads(encode(envelope))
    data["schema_version"] = "2.0"
    return json.dumps(data).encode()


def _wrong_schema(envelope: Envelope[Any]) -> bytes:
    data = json.loads(encode(envelope))
    data["payload"]["bill"]["total"] = 126.6  # money as a float, and the version is gone
    del data["payload"]["version"]
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("reason", "corrupt"),
    [
        ("not_json", lambda envelope: b"\x00\xffnot json{"),
        ("invalid_payload", _wrong_schema),
        ("unsupported_version", _wrong_major),
    ],
)
async def test_malformed_event_is_dead_lettered_with_its_reason_and_nothing_is_written(
    infra: Infrastructure,
    isolation: str,
    run_probe_service: ServiceRunner,
    reason: str,
    corrupt: Any,
) -> None:
    org = uuid.uuid4()
    bad = cost_item_submitted(org, "bad")
    good = cost_item_submitted(org, "good")
    topic = f"{isolation}.{COST_ITEMS}"
    bad_value = corrupt(bad)
    async with run_probe_service() as service:
        await produce(
            infra.kafka_bootstrap_servers,
            topic,
            [(b"bad", bad_value, []), as_record(good)],
        )
        seen = await eventually(lambda: seen_subjects(service.pool), lambda s: bool(s))
        dead = await read_until(
            infra.kafka_bootstrap_servers, dlq_topic(topic, "probe"), lambda r: len(r) >= 1
        )
        inbox = await service.pool.fetchval("SELECT count(*) FROM inbox")
    assert seen == ["good"]
    assert inbox == 1
    assert [record.value for record in dead] == [bad_value]
    assert headers_of(dead[0])["dlq_reason"] == reason


async def committed_offset(bootstrap: str, topic: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options())
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    found = [meta.offset for tp, meta in offsets.items() if tp.topic == topic]
    return found[0] if found else -1


async def dead_letters(bootstrap: str, topic: str) -> int:
    """How many records the dead-letter topic holds (its end offsets, summed)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_options())
    await consumer.start()
    try:
        assert topic in await consumer.topics(), f"{topic} does not exist"  # loads metadata
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


async def test_offset_is_committed_only_after_the_database_commit(
    infra: Infrastructure, isolation: str, run_probe_service: ServiceRunner
) -> None:
    org = uuid.uuid4()
    first = cost_item_submitted(org, "first")
    held = cost_item_submitted(org, "held")
    entered, gate = asyncio.Event(), asyncio.Event()

    async def waits_for_the_gate(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
        if envelope.subject_id == "held":
            entered.set()
            await gate.wait()
        await record_seen(conn, envelope)

    topic = f"{isolation}.{COST_ITEMS}"
    group = f"{isolation}.probe"  # consumer groups carry the stack's prefix
    bootstrap = infra.kafka_bootstrap_servers
    async with run_probe_service(waits_for_the_gate) as service:
        await produce(bootstrap, topic, [as_record(first)])
        await eventually(lambda: seen_subjects(service.pool), lambda s: s == ["first"])
        settled = await eventually(
            lambda: committed_offset(bootstrap, topic, group), lambda offset: offset == 1
        )
        await produce(bootstrap, topic, [as_record(held)])
        await asyncio.wait_for(entered.wait(), 30)
        await asyncio.sleep(0.5)  # give a wrong early commit the chance to show
        while_held = await committed_offset(bootstrap, topic, group)
        gate.set()
        seen = await eventually(lambda: seen_subjects(service.pool), lambda s: len(s) == 2)
        after = await eventually(
            lambda: committed_offset(bootstrap, topic, group), lambda offset: offset == 2
        )
    assert settled == 1, "the first record's offset is committed once its row is"
    assert while_held == 1, "the held record's offset must wait for its transaction"
    assert seen == ["first", "held"]
    assert after == 2


async def test_a_poll_is_handled_in_one_transaction_and_committed_once_after_it(
    infra: Infrastructure, isolation: str, run_probe_service: ServiceRunner
) -> None:
    """Records that arrive together are handled in one transaction: none of their writes is
    visible, and no offset moves, until the last one's handler is done."""
    org = uuid.uuid4()
    items = [cost_item_submitted(org, f"item-{n}") for n in range(5)]
    entered, gate = asyncio.Event(), asyncio.Event()

    async def holds_the_last(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
        if envelope.subject_id == "item-4":
            entered.set()
            await gate.wait()
        await record_seen(conn, envelope)

    topic = f"{isolation}.{COST_ITEMS}"
    group = f"{isolation}.probe"
    bootstrap = infra.kafka_bootstrap_servers
    await produce(bootstrap, topic, [as_record(item) for item in items])  # one poll's worth
    async with run_probe_service(holds_the_last) as service:
        await asyncio.wait_for(entered.wait(), 30)
        await asyncio.sleep(0.5)  # give a wrong early commit the chance to show
        visible_while_held = await seen_subjects(service.pool)
        committed_while_held = await committed_offset(bootstrap, topic, group)
        gate.set()
        after = await eventually(
            lambda: committed_offset(bootstrap, topic, group), lambda offset: offset == 5
        )
        seen = await seen_subjects(service.pool)
        inbox = await service.pool.fetchval("SELECT count(*) FROM inbox")
    assert visible_while_held == []
    assert committed_while_held == -1
    assert after == 5
    assert seen == [f"item-{n}" for n in range(5)]
    assert inbox == 5


async def test_a_failing_record_costs_the_rest_of_its_poll_nothing_and_keeps_its_try_count(
    infra: Infrastructure, isolation: str, run_probe_service: ServiceRunner
) -> None:
    """The poll's shared transaction fails on the poison record and is rolled back; every
    record is then settled alone: the others are written once, the poison is tried
    ``max_attempts`` times in all (the shared try included) and dead-lettered."""
    org = uuid.uuid4()
    records = [cost_item_submitted(org, name) for name in ("before", "poison", "after")]
    attempts: list[str] = []

    async def fails_on_poison(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
        await record_seen(conn, envelope)
        if envelope.subject_id == "poison":
            attempts.append(envelope.subject_id)
            raise ValueError("tax rate unknown")

    topic = f"{isolation}.{COST_ITEMS}"
    bootstrap = infra.kafka_bootstrap_servers
    await produce(bootstrap, topic, [as_record(r) for r in records])  # one poll's worth
    async with run_probe_service(fails_on_poison, consumer_max_attempts=3) as service:
        dead = await read_until(bootstrap, dlq_topic(topic, "probe"), lambda r: len(r) >= 1)
        seen = await eventually(lambda: seen_subjects(service.pool), lambda s: len(s) == 2)
        inbox = await service.pool.fetchval("SELECT count(*) FROM inbox")
    assert seen == ["after", "before"]
    assert inbox == 2
    assert attempts == ["poison"] * 3
    assert [record.value for record in dead] == [encode(records[1])]


async def test_a_record_of_a_type_the_group_does_not_handle_is_skipped_unread(
    infra: Infrastructure, isolation: str, run_probe_service: ServiceRunner
) -> None:
    """The ``ce_type`` header names a type the group has no handler for: the record is passed
    over without decoding its body (which here is not even JSON) and never dead-lettered."""
    org = uuid.uuid4()
    after = cost_item_submitted(org, "after")
    unhandled = [("ce_type", b"CostItemWithdrawn")]
    topic = f"{isolation}.{COST_ITEMS}"
    bootstrap = infra.kafka_bootstrap_servers
    async with run_probe_service() as service:
        await produce(bootstrap, topic, [(b"other", b"\x00not json", unhandled), as_record(after)])
        seen = await eventually(lambda: seen_subjects(service.pool), lambda s: bool(s))
        committed = await eventually(
            lambda: committed_offset(bootstrap, topic, f"{isolation}.probe"),
            lambda offset: offset == 2,
        )
        inbox = await service.pool.fetchval("SELECT count(*) FROM inbox")
    dead = await dead_letters(bootstrap, dlq_topic(topic, "probe"))
    assert seen == ["after"]
    assert committed == 2
    assert inbox == 1
    assert dead == 0
