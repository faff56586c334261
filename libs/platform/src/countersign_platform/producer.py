"""The producer the outbox relay and the dead-letter queue send with: idempotent (per-partition
order, no duplicates from its own retries), and renewed when the broker says it can no longer
continue.

After a broker restart the broker may answer an idempotent producer's next batch with
``OutOfOrderSequenceNumber`` (or no longer know its producer id). Such a producer's sequence is
broken for good: every later send fails the same way, and the relay would retry the same rows
forever. The send that met it fails (the relay retries its rows), the old producer is closed
and the next send goes through a new one, with a new producer id. Delivery stays at-least-once;
consumers drop repeats by ``event_id``.

A send the broker has not acknowledged within ``ack_timeout_s`` fails the same way (and the
producer is replaced too): the relay holds its rows' transaction open while it waits, so a
producer stuck retrying must not hold it for ever.

    producer = RenewingProducer(bootstrap, client_id="ingest", options=security.client_options())
    # (options: KafkaSecurity.client_options(); left out, from the KAFKA_* environment)
    await producer.start()
    ack = await producer.send(topic, key, value, headers)   # queued
    await ack                                                # acknowledged by the broker
    await producer.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Mapping
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidProducerEpoch,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    UnknownProducerId,
)

from countersign_platform.kafka_security import client_options

__all__ = ["RenewingProducer"]

log = logging.getLogger(__name__)

# Errors after which a producer cannot send again.
_BROKEN = (OutOfOrderSequenceNumber, UnknownProducerId, InvalidProducerEpoch, ProducerFenced)


class RenewingProducer:
    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str,
        ack_timeout_s: float = 60.0,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self._bootstrap_servers = bootstrap_servers
        # Security (KafkaSecurity.client_options); None: from the KAFKA_* environment.
        self._options = dict(client_options() if options is None else options)
        self._client_id = client_id
        self._ack_timeout_s = ack_timeout_s
        self._producer: AIOKafkaProducer | None = None
        self._renewing = asyncio.Lock()
        self.renewals = 0

    def _new(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._bootstrap_servers,
            client_id=self._client_id,
            enable_idempotence=True,
            **self._options,
        )

    async def start(self) -> None:
        producer = self._new()
        await producer.start()
        self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def send(
        self, topic: str, key: bytes, value: bytes, headers: Mapping[str, str]
    ) -> Awaitable[object]:
        producer = self._producer
        if producer is None:
            raise RuntimeError("the producer is not started")
        queued = await producer.send(
            topic, value, key=key, headers=[(k, v.encode()) for k, v in headers.items()]
        )
        return self._acknowledged(producer, queued)

    async def _acknowledged(self, producer: AIOKafkaProducer, queued: Awaitable[object]) -> object:
        try:
            return await asyncio.wait_for(queued, self._ack_timeout_s)
        except (*_BROKEN, TimeoutError) as exc:
            await self._renew(producer, exc)
            raise

    async def _renew(self, broken: AIOKafkaProducer, cause: Exception) -> None:
        async with self._renewing:
            if id(self._producer) != id(broken):
                return  # another send already replaced it
            log.warning(
                "kafka producer can no longer send (%s); replacing it", type(cause).__name__
            )
            replacement = self._new()
            await replacement.start()
            self._producer = replacement
            self.renewals += 1
            # Its unsent batches fail on their own; do not wait long for them.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(broken.stop(), timeout=5)
