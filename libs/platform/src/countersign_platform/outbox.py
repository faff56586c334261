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
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import asyncpg
from countersign_contracts import Envelope, encode, kafka_headers

from countersign_platform.telemetry import OUTBOX_PENDING, PUBLISHED

__all__ = ["SHARDS", "OutboxRelay", "Producer", "enqueue", "shard_of"]

log = logging.getLogger(__name__)

SHARDS = 32
# First half of the two-int advisory lock key; the second is the shard number.
_LOCK_CLASS = zlib.crc32(b"countersign-outbox") & 0x7FFFFFFF
# Sampling the backlog, pruning old rows and re-subscribing a lost LISTEN.
_HOUSEKEEPING_INTERVAL_S = 30.0


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode()) % SHARDS


async def enqueue(conn: asyncpg.Connection, topic: str, envelope: Envelope[Any]) -> None:
    """Stages ``envelope`` for ``topic`` inside the caller's transaction."""
    await conn.execute(
        "INSERT INTO outbox (event_id, topic, key, shard, headers, payload)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)",
        envelope.event_id,
        topic,
        envelope.subject_id,
        shard_of(envelope.subject_id),
        json.dumps(kafka_headers(envelope)),
        encode(envelope).decode(),
    )


class Producer(Protocol):
    """Sends one record; the returned awaitable resolves when the broker has acknowledged it."""

    async def send(
        self, topic: str, key: bytes, value: bytes, headers: Mapping[str, str]
    ) -> Awaitable[object]: ...


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: Producer,
        *,
        schema: str,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        topic_prefix: str = "",
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        retention_hours: float = 72,
        linger_s: float = 0.0,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._schema = schema
        self._topic_prefix = topic_prefix
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._linger_s = linger_s
        self._retention_hours = retention_hours
        self._connect = connect
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._next_housekeeping = 0.0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._schema}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

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
            acks = [
                await self._producer.send(
                    self._topic_prefix + row["topic"],
                    row["key"].encode(),
                    row["payload"].encode(),
                    json.loads(row["headers"]),
                )
                for row in rows
            ]
            await asyncio.gather(*acks)
            await conn.execute(
                "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
                [row["id"] for row in rows],
            )
        for row in rows:
            PUBLISHED.labels(row["topic"]).inc()
        return len(rows)

    async def _run(self) -> None:
        try:
            while True:
                try:
                    published = await self.publish_pending()
                except (asyncpg.PostgresError, OSError, ConnectionError) as exc:
                    log.warning("outbox relay: database unavailable, retrying", exc_info=exc)
                    published = 0
                    await asyncio.sleep(self._poll_interval_s)
                except Exception:
                    log.exception("outbox relay: publishing failed, retrying")
                    published = 0
                    await asyncio.sleep(self._poll_interval_s)
                if published == 0:
                    await self._idle()
                elif published < self._batch_size:
                    # Let a few more commits land, so that the next pass sends them together
                    # (one transaction and one produce request) rather than a row at a time.
                    await asyncio.sleep(self._linger_s)
        finally:
            if self._listener is not None:
                with contextlib.suppress(Exception):
                    await self._listener.close()

    async def _idle(self) -> None:
        if time.monotonic() >= self._next_housekeeping:
            self._next_housekeeping = time.monotonic() + _HOUSEKEEPING_INTERVAL_S
            await self._housekeeping()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
        self._wake.clear()

    async def _housekeeping(self) -> None:
        if self._listener is None or self._listener.is_closed():
            self._listener = await self._listen()
        with contextlib.suppress(asyncpg.PostgresError, OSError, ConnectionError):
            async with self._pool.acquire() as conn:
                OUTBOX_PENDING.set(
                    await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                )
                await conn.execute(
                    "DELETE FROM outbox WHERE published_at < now() - make_interval(hours => $1)",
                    self._retention_hours,
                )

    async def _listen(self) -> asyncpg.Connection | None:
        # LISTEN needs its own connection: a pooled one is reset (UNLISTEN) when released.
        # It is only a hint to publish sooner; polling still finds everything.
        try:
            conn = await self._connect()
            await conn.add_listener(f"outbox_{self._schema}", lambda *_: self._wake.set())
        except Exception as exc:
            log.warning("outbox relay: LISTEN unavailable, polling only", exc_info=exc)
            return None
        return conn
