"""The outbox relay on the real broker and database: nothing lost across a crash, and each
key's events in order while several relays run at once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Mapping
from pathlib import Path

import asyncpg
import pytest
from countersign_contracts import COST_ITEMS
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import read_until
from countersign_harness.samples import cost_item_submitted
from countersign_platform.migrations import migrate
from countersign_platform.outbox import OutboxRelay, Producer, enqueue
from countersign_platform.producer import RenewingProducer
from countersign_platform.topics import ensure_topics

pytestmark = pytest.mark.integration

NO_SERVICE_MIGRATIONS = Path(__file__).parent / "no_migrations"


@contextlib.asynccontextmanager
async def outbox_pool(infra: Infrastructure, schema: str) -> AsyncIterator[asyncpg.Pool]:
    NO_SERVICE_MIGRATIONS.mkdir(exist_ok=True)
    await migrate(infra.database_url, schema, NO_SERVICE_MIGRATIONS)
    pool = await asyncpg.create_pool(
        infra.database_url, min_size=1, max_size=8, server_settings={"search_path": schema}
    )
    try:
        yield pool
    finally:
        await pool.close()


@contextlib.asynccontextmanager
async def kafka_producer(infra: Infrastructure) -> AsyncIterator[RenewingProducer]:
    producer = RenewingProducer(infra.kafka_bootstrap_servers, client_id="relay-test")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


def relay(
    pool: asyncpg.Pool,
    producer: Producer,
    infra: Infrastructure,
    schema: str,
    batch_size: int = 100,
) -> OutboxRelay:
    return OutboxRelay(
        pool,
        producer,
        schema=schema,
        connect=lambda: asyncpg.connect(
            infra.database_url, server_settings={"search_path": schema}
        ),
        topic_prefix=f"{schema}.",
        batch_size=batch_size,
        poll_interval_s=0.1,
    )


class CrashAfterSending:
    """Sends ``limit`` records for real, then fails as a process killed before its commit."""

    def __init__(self, real: Producer, limit: int) -> None:
        self._real = real
        self._left = limit

    async def send(
        self, topic: str, key: bytes, value: bytes, headers: Mapping[str, str]
    ) -> Awaitable[object]:
        if self._left == 0:
            raise ConnectionError("relay process died")
        self._left -= 1
        return await self._real.send(topic, key, value, headers)


async def stage(pool: asyncpg.Pool, org: uuid.UUID, key: str, version: int) -> uuid.UUID:
    envelope = cost_item_submitted(org, key, version=version)
    async with pool.acquire() as conn, conn.transaction():
        await enqueue(conn, COST_ITEMS, envelope)
    return envelope.event_id


def event_ids(records: list) -> list[str]:  # type: ignore[type-arg]
    return [json.loads(record.value)["event_id"] for record in records]


async def test_relay_publishes_every_row_across_a_crash(
    infra: Infrastructure, isolation: str
) -> None:
    org = uuid.uuid4()
    topic = f"{isolation}.{COST_ITEMS}"
    async with outbox_pool(infra, isolation) as pool, kafka_producer(infra) as producer:
        staged = [await stage(pool, org, f"item-{n % 7}", n + 1) for n in range(250)]

        crashing = relay(pool, CrashAfterSending(producer, limit=60), infra, isolation)
        with pytest.raises(ConnectionError):
            await crashing.publish_pending()
        pending_after_crash = await pool.fetchval(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )

        survivor = relay(pool, producer, infra, isolation)
        while await survivor.publish_pending():
            pass
        unpublished = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")

    records = await read_until(
        infra.kafka_bootstrap_servers, topic, lambda r: len(set(event_ids(r))) >= 250
    )
    published = event_ids(records)
    assert pending_after_crash == 250, "the crashed batch rolled back: nothing marked published"
    assert unpublished == 0
    assert set(published) == {str(event_id) for event_id in staged}
    # At-least-once: only the records sent just before the crash can appear twice, and the
    # consumer's inbox drops them by event_id.
    assert len(published) - len(set(published)) <= 60


async def test_each_key_keeps_its_order_with_concurrent_relays_and_writers(
    infra: Infrastructure, isolation: str
) -> None:
    org = uuid.uuid4()
    topic = f"{isolation}.{COST_ITEMS}"
    keys = [f"item-{n}" for n in range(20)]
    versions = 40
    await ensure_topics(infra.kafka_bootstrap_servers, {topic: 6})
    async with outbox_pool(infra, isolation) as pool, contextlib.AsyncExitStack() as stack:
        # Three relays, each with its own producer, as three replicas of a service would be.
        producers = [await stack.enter_async_context(kafka_producer(infra)) for _ in range(3)]
        relays = [relay(pool, producer, infra, isolation, batch_size=25) for producer in producers]
        for running in relays:
            await running.start()

        async def write_versions(key: str) -> None:
            for version in range(1, versions + 1):
                await stage(pool, org, key, version)
                await asyncio.sleep(0)

        await asyncio.gather(*(write_versions(key) for key in keys))
        records = await read_until(
            infra.kafka_bootstrap_servers, topic, lambda r: len(r) >= len(keys) * versions
        )
        for running in relays:
            await running.stop()

    order: dict[str, list[int]] = defaultdict(list)
    for record in records:
        payload = json.loads(record.value)["payload"]
        order[payload["dext_item_id"]].append(payload["version"])
    assert len(records) == len(keys) * versions, "no duplicates without a crash"
    for key in keys:
        assert order[key] == list(range(1, versions + 1)), f"{key} arrived out of order"
