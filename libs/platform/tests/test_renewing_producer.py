"""The relay's producer over a stand-in for aiokafka's: a send the broker can no longer accept
fails, and the next goes through a new producer; other failures keep it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import (
    InvalidProducerEpoch,
    MessageSizeTooLargeError,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    UnknownProducerId,
)
from countersign_platform import producer as producer_module
from countersign_platform.producer import RenewingProducer


class FakeKafkaProducer:
    """AIOKafkaProducer as the renewing producer uses it. Each send's acknowledgement fails
    with ``refusal`` when one is set, never comes when ``silent``, else comes at once."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.started = self.stopped = False
        self.sent: list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]] = []
        self.refusal: Exception | None = None
        self.silent = False
        self.stop_error: Exception | None = None

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True
        if self.stop_error is not None:
            raise self.stop_error

    async def send(
        self, topic: str, value: bytes, *, key: bytes, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[object]:
        assert self.started and not self.stopped, "sent through a producer that is not running"
        self.sent.append((topic, key, value, headers))
        ack: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        if self.refusal is not None:
            ack.set_exception(self.refusal)
        elif not self.silent:
            ack.set_result(f"{topic}@{len(self.sent) - 1}")
        return ack


class Made(list[FakeKafkaProducer]):
    """Every aiokafka producer the renewing producer made, oldest first."""

    def __call__(self, **settings: Any) -> FakeKafkaProducer:
        self.append(FakeKafkaProducer(settings))
        return self[-1]


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Made:
    producers = Made()
    monkeypatch.setattr(producer_module, "AIOKafkaProducer", producers)
    return producers


async def started(**options: Any) -> RenewingProducer:
    # No security options unless a test gives some (not the KAFKA_* of the shell running it).
    producer = RenewingProducer("kafka:9092", client_id="relay-1", **{"options": {}, **options})
    await producer.start()
    return producer


async def delivered(producer: RenewingProducer, value: bytes = b"{}") -> object:
    """Sends one record and waits for the broker's acknowledgement."""
    return await (await producer.send("bills", b"item-1", value, {}))


async def refused(producer: RenewingProducer, kafka: FakeKafkaProducer, error: Exception) -> None:
    """Sends one record through ``kafka``, which answers with ``error``; the send fails."""
    kafka.refusal = error
    with pytest.raises(type(error)):
        await delivered(producer)


async def test_a_send_before_start_is_refused(made: Made) -> None:
    with pytest.raises(RuntimeError, match="not started"):
        await RenewingProducer("kafka:9092", client_id="relay-1").send("t", b"k", b"v", {})


async def test_a_record_goes_out_with_its_key_and_headers_through_an_idempotent_producer(
    made: Made,
) -> None:
    producer = await started()

    ack = await producer.send("bills", b"item-1", b"{}", {"ce_type": "BillCreated"})

    assert await ack == "bills@0"
    [kafka] = made
    assert kafka.settings == {
        "bootstrap_servers": "kafka:9092",
        "client_id": "relay-1",
        "enable_idempotence": True,
    }
    assert kafka.sent == [("bills", b"item-1", b"{}", [("ce_type", b"BillCreated")])]
    await producer.stop()


@pytest.mark.parametrize(
    "broken",
    [OutOfOrderSequenceNumber, UnknownProducerId, InvalidProducerEpoch, ProducerFenced],
)
async def test_a_send_the_broker_can_no_longer_take_fails_and_the_next_uses_a_new_producer(
    made: Made, broken: type[Exception]
) -> None:
    producer = await started()

    await refused(producer, made[0], broken())

    assert producer.renewals == 1
    [old, new] = made
    assert old.stopped and new.started and not new.stopped
    assert new.sent == []  # the failed send is not sent again: its caller retries it
    assert await delivered(producer, b"again") == "bills@0"
    assert [value for _topic, _key, value, _headers in new.sent] == [b"again"]
    await producer.stop()


async def test_a_send_never_acknowledged_fails_in_time_and_the_producer_is_renewed(
    made: Made,
) -> None:
    producer = await started(ack_timeout_s=0.01)
    made[0].silent = True

    with pytest.raises(TimeoutError):
        await delivered(producer, b"first")

    assert producer.renewals == 1 and len(made) == 2 and made[0].stopped
    await producer.stop()


async def test_a_send_refused_for_its_own_sake_keeps_the_producer(made: Made) -> None:
    producer = await started()

    await refused(producer, made[0], MessageSizeTooLargeError())

    assert producer.renewals == 0
    [kafka] = made
    assert not kafka.stopped
    await producer.stop()


async def test_sends_broken_together_renew_the_producer_once(made: Made) -> None:
    producer = await started()
    made[0].refusal = OutOfOrderSequenceNumber()
    acks = [await producer.send("bills", b"item-1", str(n).encode(), {}) for n in range(3)]

    results = await asyncio.gather(*acks, return_exceptions=True)

    assert all(isinstance(result, OutOfOrderSequenceNumber) for result in results)
    assert producer.renewals == 1 and len(made) == 2
    await producer.stop()


async def test_an_old_producer_that_fails_to_stop_does_not_hold_up_its_renewal(
    made: Made,
) -> None:
    producer = await started()
    made[0].stop_error = ConnectionResetError("broker went away")

    await refused(producer, made[0], UnknownProducerId())

    assert producer.renewals == 1
    assert await delivered(producer, b"again") == "bills@0"
    await producer.stop()


async def test_stop_stops_the_current_producer_and_later_sends_are_refused(made: Made) -> None:
    producer = await started()
    await refused(producer, made[0], OutOfOrderSequenceNumber())

    await producer.stop()
    await producer.stop()  # a second stop is harmless

    assert made[1].stopped
    with pytest.raises(RuntimeError, match="not started"):
        await producer.send("bills", b"item-1", b"late", {})
