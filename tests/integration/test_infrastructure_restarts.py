"""The real broker and database server stopped (cleanly, or crashed: the broker SIGKILLed, the
database shut down without a checkpoint) and started again under a running service: nothing is
lost, nothing is dead-lettered because a server was briefly away, and a service started during
the outage waits for it instead of exiting. Needs infrastructure this checkout started (make
test)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from countersign_contracts import COST_ITEMS, Envelope, dlq_topic
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce, read_until
from countersign_harness.samples import cost_item_submitted
from countersign_harness.waiting import eventually
from countersign_platform.kafka_security import client_options
from countersign_platform.outbox import enqueue

from tests.integration.conftest import ServiceRunner, record_seen
from tests.integration.test_consumer import as_record, seen_subjects
from tests.support.restarts import require_restartable, restart

pytestmark = [pytest.mark.integration, pytest.mark.restarts]
OUTAGES = pytest.mark.parametrize("crash", [False, True], ids=["clean stop", "crash"])


async def slow_record(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    # Long enough that a restart catches transactions in flight.
    await conn.execute("SELECT pg_sleep(0.05)")
    await record_seen(conn, envelope)


async def unreachable(probe: Any) -> bool:
    try:
        await probe()
    except Exception:
        return True
    return False


async def no_dead_letters(infra: Infrastructure, topic: str) -> None:
    dead = await read_until(
        infra.kafka_bootstrap_servers, dlq_topic(topic, "probe"), lambda r: False, timeout_s=3
    )
    assert [dict(r.headers).get("dlq_reason") for r in dead] == []


@OUTAGES
async def test_a_database_restart_while_events_are_handled_loses_nothing_and_dead_letters_nothing(
    infra: Infrastructure, isolation: str, run_probe_service: ServiceRunner, crash: bool
) -> None:
    require_restartable("postgres")
    org = uuid.uuid4()
    events = [cost_item_submitted(org, f"item-{n:03d}") for n in range(60)]
    topic = f"{isolation}.{COST_ITEMS}"
    # One try before the DLQ: any failure the outage causes that is counted as the event's own
    # would dead-letter it at once.
    async with run_probe_service(slow_record, consumer_max_attempts=1) as service:
        await produce(infra.kafka_bootstrap_servers, topic, [as_record(e) for e in events])
        await eventually(lambda: seen_subjects(service.pool), lambda s: len(s) >= 5)
        await restart("postgres", pause_s=2, crash=crash)
        seen = await eventually(
            lambda: seen_subjects(service.pool), lambda s: len(s) == len(events), timeout_s=60
        )
        inbox = await service.pool.fetchval("SELECT count(*) FROM inbox")
    assert seen == sorted(e.subject_id for e in events)
    assert inbox == len(events)
    await no_dead_letters(infra, topic)


@OUTAGES
async def test_a_broker_restart_loses_no_event_consumed_or_relayed_from_the_outbox(
    infra: Infrastructure, isolation: str, run_probe_service: ServiceRunner, crash: bool
) -> None:
    require_restartable("kafka")
    org = uuid.uuid4()
    before = [cost_item_submitted(org, f"before-{n:02d}") for n in range(20)]
    during = [cost_item_submitted(org, f"during-{n:02d}") for n in range(20)]
    topic = f"{isolation}.{COST_ITEMS}"
    async with run_probe_service(slow_record, consumer_max_attempts=1) as service:
        await produce(infra.kafka_bootstrap_servers, topic, [as_record(e) for e in before])
        await eventually(lambda: seen_subjects(service.pool), lambda s: len(s) >= 3)
        outage = asyncio.create_task(restart("kafka", pause_s=3, crash=crash))
        # Emitted while the broker is away: the relay must publish them once it is back.
        for envelope in during:
            async with service.pool.acquire() as conn, conn.transaction():
                await enqueue(conn, COST_ITEMS, envelope)
            await asyncio.sleep(0.1)
        await outage
        seen = await eventually(
            lambda: seen_subjects(service.pool),
            lambda s: len(s) == len(before) + len(during),
            timeout_s=90,
        )
        unpublished = await service.pool.fetchval(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )
    assert seen == sorted(e.subject_id for e in before + during)
    assert unpublished == 0
    await no_dead_letters(infra, topic)


@pytest.mark.parametrize("target", ["postgres", "kafka"])
async def test_a_service_started_while_a_server_is_down_waits_for_it(
    infra: Infrastructure, isolation: str, run_probe_service: ServiceRunner, target: str
) -> None:
    require_restartable(target)

    async def database() -> None:
        await (await asyncpg.connect(infra.database_url, timeout=2)).close()

    async def broker() -> None:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=infra.kafka_bootstrap_servers,
            request_timeout_ms=2000,
            **client_options(),
        )
        await admin.start()
        await admin.close()

    outage = asyncio.create_task(restart(target, pause_s=6))
    await eventually(
        lambda: unreachable(database if target == "postgres" else broker), bool, timeout_s=30
    )
    event = cost_item_submitted(uuid.uuid4(), "after-the-outage")
    async with run_probe_service() as service:
        await outage
        await produce(
            infra.kafka_bootstrap_servers, f"{isolation}.{COST_ITEMS}", [as_record(event)]
        )
        seen = await eventually(lambda: seen_subjects(service.pool), bool, timeout_s=60)
    assert seen == ["after-the-outage"]
