"""The relay's producer on the real broker: once the broker has refused its sequence, it is
replaced, and the next send goes out (the broker-restart test meets the refusal for real)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import read_until
from countersign_platform.producer import RenewingProducer
from countersign_platform.topics import ensure_topics

pytestmark = pytest.mark.integration


async def test_a_producer_whose_sequence_is_refused_is_replaced_and_sends_again(
    infra: Infrastructure, isolation: str
) -> None:
    topic = f"{isolation}.renewal"
    await ensure_topics(infra.kafka_bootstrap_servers, {topic: 1})
    producer = RenewingProducer(infra.kafka_bootstrap_servers, client_id="renewal-test")
    await producer.start()
    try:
        await (await producer.send(topic, b"k", b"before", {"ce_type": "Probe"}))
        first = producer._producer
        refused: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        refused.set_exception(OutOfOrderSequenceNumber())
        # What the relay awaits for a batch the broker answered with that error.
        with pytest.raises(OutOfOrderSequenceNumber):
            await producer._acknowledged(first, refused)
        assert producer.renewals == 1 and producer._producer is not first
        await (await producer.send(topic, b"k", b"after", {"ce_type": "Probe"}))
    finally:
        await producer.stop()
    records = await read_until(
        infra.kafka_bootstrap_servers, topic, lambda got: len(got) >= 2, timeout_s=30
    )
    assert [r.value for r in records] == [b"before", b"after"]
    assert dict(records[1].headers) == {"ce_type": b"Probe"}


async def test_a_send_never_acknowledged_fails_in_time_and_the_producer_is_replaced(
    infra: Infrastructure, isolation: str
) -> None:
    producer = RenewingProducer(
        infra.kafka_bootstrap_servers, client_id="renewal-test", ack_timeout_s=0.2
    )
    await producer.start()
    try:
        stuck = producer._producer
        never: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        with pytest.raises(TimeoutError):
            await producer._acknowledged(stuck, never)
        assert producer.renewals == 1 and producer._producer is not stuck
    finally:
        await producer.stop()
