"""What the outbox stages and what one relay pass does, without a database: lock shards, read
only theirs, send in order, mark published only once every send is acknowledged."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from countersign_contracts import COST_ITEMS, decode, kafka_headers
from countersign_harness.samples import cost_item_submitted
from countersign_platform.outbox import OutboxRelay, enqueue, shard_of

from libs.platform.tests.fakes import FakeDatabase, FakeProducer

LOCK = "pg_try_advisory_xact_lock"
READ = "ORDER BY id"


def row(id_: int, key: str, topic: str = COST_ITEMS) -> dict[str, Any]:
    headers = {"ce_type": "CostItemSubmitted", "ce_subject": key}
    return {
        "id": id_,
        "topic": topic,
        "key": key,
        "headers": json.dumps(headers),
        "payload": json.dumps({"row": id_}),
    }


async def unused() -> Any:
    raise AssertionError("the relay's loop is not started here")


def relay(db: FakeDatabase, producer: FakeProducer, batch_size: int = 500) -> OutboxRelay:
    return OutboxRelay(
        db,
        producer,
        schema="ingest",
        connect=unused,
        topic_prefix="stack-7.",
        batch_size=batch_size,
    )


async def test_an_event_is_staged_in_the_shard_of_its_subject_with_its_headers() -> None:
    db = FakeDatabase()
    envelope = cost_item_submitted(uuid.uuid4(), "item-42")

    async with db.acquire() as conn, conn.transaction():
        await enqueue(conn, COST_ITEMS, envelope)

    [(query, (event_id, topic, key, shard, headers, payload))] = db.committed
    assert query.startswith("INSERT INTO outbox")
    assert (event_id, topic, key) == (envelope.event_id, COST_ITEMS, "item-42")
    assert shard == shard_of("item-42")
    assert json.loads(headers) == kafka_headers(envelope)
    assert decode(COST_ITEMS, payload) == envelope


async def test_a_pass_reads_only_the_shards_it_locked_and_sends_their_rows_in_order() -> None:
    rows = [row(11, "item-1"), row(12, "item-2"), row(15, "item-1")]
    db = FakeDatabase({LOCK: [3, 17], READ: rows})
    producer = FakeProducer()

    published = await relay(db, producer, batch_size=50).publish_pending()

    assert published == 3
    [read_args] = [args for query, args in db.journal if READ in query]
    assert read_args == ([3, 17], 50)
    assert [(s.topic, s.key, s.value) for s in producer.sent] == [
        (f"stack-7.{COST_ITEMS}", b"item-1", b'{"row": 11}'),
        (f"stack-7.{COST_ITEMS}", b"item-2", b'{"row": 12}'),
        (f"stack-7.{COST_ITEMS}", b"item-1", b'{"row": 15}'),
    ]
    assert producer.sent[1].headers == {"ce_type": "CostItemSubmitted", "ce_subject": "item-2"}
    [(_, marked)] = [(q, args) for q, args in db.committed if q.startswith("UPDATE outbox")]
    assert marked == ([11, 12, 15],)


async def test_rows_are_sent_together_and_marked_published_once_all_are_acknowledged() -> None:
    db = FakeDatabase({LOCK: [3], READ: [row(11, "item-1"), row(12, "item-2")]})
    producer = FakeProducer(journal=db.journal)

    await relay(db, producer).publish_pending()

    assert db.steps[db.steps.index("SEND") :] == [
        "SEND",
        "SEND",
        "ACK",
        "ACK",
        "UPDATE outbox SET",
        "COMMIT",
    ]


async def test_a_send_that_is_not_acknowledged_leaves_every_row_of_the_pass_unpublished() -> None:
    db = FakeDatabase({LOCK: [3], READ: [row(11, "item-1"), row(12, "item-2")]})
    producer = FakeProducer(refusal=ConnectionResetError("broker went away"))

    with pytest.raises(ConnectionResetError):
        await relay(db, producer).publish_pending()

    assert db.steps[-1] == "ROLLBACK"
    assert db.committed == []


async def test_a_pass_that_can_lock_no_shard_reads_and_sends_nothing() -> None:
    db = FakeDatabase({LOCK: [], READ: [row(11, "item-1")]})
    producer = FakeProducer()

    assert await relay(db, producer).publish_pending() == 0

    assert not [query for query, _args in db.journal if READ in query]
    assert producer.sent == []
