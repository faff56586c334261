"""Transactional outbox: events commit with the state change that caused them, then a relay
publishes them to Kafka.

    handler transaction ──INSERT outbox──▶ COMMIT ──NOTIFY──▶ relay
    relay: lock free shards ─▶ read their pending rows oldest first ─▶ send (idempotent producer,
           keyed by subject) ─▶ wait for every ack ─▶ mark published ─▶ COMMIT (locks released)

Per-key order with several relays: every row belongs to one of ``SHARDS`` shards by a hash of
its key, and a relay only reads rows of shards whose transaction-level advisory lock it holds.
The lock is taken *before* the rows are read, so a relay always sees what the previous holder
marked as published, and one key is never in flight from two relays. A crash after the send and
before the commit publishes the rows again: delivery is at-least-once, and the consumer's inbox
drops the repeat by ``event_id``.

Tracing (ADR 0059): a row keeps the trace context of the span that wrote it in its ``headers``
(``traceparent``); the relay sends each row in a "publish" span continuing that context, and
the record's ``traceparent`` header names that span, so the consumer continues the same trace.
With tracing off the header is the contracts' one, derived from the envelope's ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import zlib
from collections.abc import Awaitable, Mapping
from typing import Any, Protocol

import asyncpg
from countersign_contracts import Envelope, encode, kafka_headers

from countersign_platform.kafka_tracing import publishing
from countersign_platform.loops import BackgroundLoop, Connect
from countersign_platform.telemetry import OUTBOX_PENDING, PUBLISHED
from countersign_platform.tracing import end_span, traceparent_now

__all__ = ["SHARDS", "OutboxRelay", "Producer", "enqueue", "shard_of"]

log = logging.getLogger(__name__)

SHARDS = 32
# First half of the two-int advisory lock key; the second is the shard number.
_LOCK_CLASS = zlib.crc32(b"countersign-outbox") & 0x7FFFFFFF
# Sampling the backlog and pruning old rows.
_HOUSEKEEPING_INTERVAL_S = 30.0


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode()) % SHARDS


async def enqueue(conn: asyncpg.Connection, topic: str, envelope: Envelope[Any]) -> None:
    """Stages ``envelope`` for ``topic`` inside the caller's transaction, with the trace
    context of the current span (when tracing is on) for the relay to continue."""
    headers = kafka_headers(envelope)
    writer = traceparent_now()
    if writer is not None:
        headers["traceparent"] = writer
    await conn.execute(
        "INSERT INTO outbox (event_id, topic, key, shard, headers, payload)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)",
        envelope.event_id,
        topic,
        envelope.subject_id,
        shard_of(envelope.subject_id),
        json.dumps(headers),
        encode(envelope).decode(),
    )


class Producer(Protocol):
    """Sends one record; the returned awaitable resolves when the broker has acknowledged it."""

    async def send(
        self, topic: str, key: bytes, value: bytes, headers: Mapping[str, str]
    ) -> Awaitable[object]: ...


class OutboxRelay:
    """Publishes the schema's pending rows, woken by the NOTIFY of the ``outbox`` table's
    trigger when they commit (``loops.BackgroundLoop``; polling every ``poll_interval_s``
    only catches up after a lost notification)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: Producer,
        *,
        schema: str,
        connect: Connect,
        topic_prefix: str = "",
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        retention_hours: float = 72,
        linger_s: float = 0.0,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._topic_prefix = topic_prefix
        self._batch_size = batch_size
        self._linger_s = linger_s
        self._retention_hours = retention_hours
        self._next_housekeeping = 0.0
        self._loop = BackgroundLoop(
            f"outbox-relay-{schema}",
            self._pass,
            interval_s=poll_interval_s,
            channel=f"outbox_{schema}",
            connect=connect,
        )

    async def start(self) -> None:
        await self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def publish_pending(self) -> int:
        """Publishes one batch from the shards this relay can lock; returns how many rows."""
        async with self._pool.acquire() as conn, conn.transaction():
            shards = await conn.fetchval(
                "SELECT coalesce(array_agg(shard), '{}') FROM"
                " (SELECT DISTINCT shard FROM outbox WHERE published_at IS NULL) pending"
                " WHERE pg_try_advisory_xact_lock($1, shard)",
                _LOCK_CLASS,
            )
            if not shards:
                return 0
            rows = await conn.fetch(
                "SELECT id, topic, key, headers, payload FROM outbox"
                " WHERE published_at IS NULL AND shard = ANY($1::smallint[])"
                " ORDER BY id LIMIT $2",
                shards,
                self._batch_size,
            )
            await self._send(rows)
            await conn.execute(
                "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
                [row["id"] for row in rows],
            )
        for row in rows:
            PUBLISHED.labels(row["topic"]).inc()
        return len(rows)

    async def _send(self, rows: list[asyncpg.Record]) -> None:
        """Sends ``rows`` and waits until the broker has acknowledged them all; each in a
        producer span continuing the trace its row was written in (tracing on)."""
        spans = []
        error: BaseException | None = None
        try:
            acks = []
            for row in rows:
                topic = self._topic_prefix + row["topic"]
                headers: dict[str, str] = json.loads(row["headers"])
                spans.append(publishing(topic, headers))
                acks.append(
                    await self._producer.send(
                        topic, row["key"].encode(), row["payload"].encode(), headers
                    )
                )
            await asyncio.gather(*acks)
        except BaseException as exc:
            error = exc
            raise
        finally:
            for sent in spans:
                end_span(sent, error)

    async def _pass(self) -> bool:
        published = await self.publish_pending()
        if 0 < published < self._batch_size:
            # Let a few more commits land, so that the next pass sends them together (one
            # transaction and one produce request) rather than a row at a time.
            await asyncio.sleep(self._linger_s)
        if published == 0 and time.monotonic() >= self._next_housekeeping:
            self._next_housekeeping = time.monotonic() + _HOUSEKEEPING_INTERVAL_S
            await self._housekeeping()
        return published > 0

    async def _housekeeping(self) -> None:
        with contextlib.suppress(asyncpg.PostgresError, OSError, ConnectionError):
            async with self._pool.acquire() as conn:
                OUTBOX_PENDING.set(
                    await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                )
                await conn.execute(
                    "DELETE FROM outbox WHERE published_at < now() - make_interval(hours => $1)",
                    self._retention_hours,
                )
