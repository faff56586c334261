"""Consuming one Kafka record: decode, dedupe, handle, commit — or dead-letter.

    record ─▶ decode contract ──invalid──────────────────────────────▶ DLQ ─┐
               │ valid                                                      │
               ▼                                                            │
          BEGIN; INSERT inbox(event_id) ──already there──▶ ROLLBACK (dup) ──┤
               │ new                                                        │
               ▼                                                            ▼
          handler(conn, envelope) ─▶ COMMIT ──────────────────────▶ commit Kafka offset
               │ raised
               ▼
          ROLLBACK; try again (bounded, with backoff) ──still failing──▶ DLQ

The Kafka offset is committed only after the database transaction (or the dead-letter send)
has succeeded, so a crash anywhere redelivers the record and the inbox makes that harmless.
When the database itself is unreachable the record is retried until it comes back, without
counting tries: an outage must not empty the topic into the dead-letter queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import asyncpg
from countersign_contracts import ContractViolation, Envelope, decode, dlq_topic

from countersign_platform.outages import DATABASE_UNAVAILABLE
from countersign_platform.outbox import Producer
from countersign_platform.telemetry import CONSUMED, DEAD_LETTERED, log_context

__all__ = ["ConsumedRecord", "EventConsumer", "EventHandler", "Outcome", "Subscription"]

log = logging.getLogger(__name__)

EventHandler = Callable[[asyncpg.Connection, Envelope[Any]], Awaitable[None]]

_OUTAGE_RETRY_S = 1.0


@dataclass(frozen=True)
class Subscription:
    """A consumer group's interest in one topic: which handler runs for which event type.

    Event types the topic carries but the table does not name are acknowledged and skipped.
    """

    topic: str
    group: str
    handlers: Mapping[str, EventHandler]


@dataclass(frozen=True)
class ConsumedRecord:
    topic: str  # as named on the cluster, prefix included
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Sequence[tuple[str, bytes]]


class Outcome(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"


class _Duplicate(Exception):
    """Raised inside the transaction to roll it back when the inbox already has the event."""


class EventConsumer:
    def __init__(
        self,
        pool: asyncpg.Pool,
        dead_letters: Producer,
        *,
        max_attempts: int = 5,
        retry_backoff_s: float = 0.2,
    ) -> None:
        self._pool = pool
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._retry_backoff_s = retry_backoff_s

    async def consume(self, subscription: Subscription, record: ConsumedRecord) -> Outcome:
        outcome = await self._consume(subscription, record)
        CONSUMED.labels(record.topic, subscription.group, outcome.value).inc()
        return outcome

    async def _consume(self, subscription: Subscription, record: ConsumedRecord) -> Outcome:
        try:
            envelope = decode(subscription.topic, record.value)
        except ContractViolation as violation:
            await self._dead_letter(subscription, record, violation.reason, str(violation), 1)
            return Outcome.DEAD_LETTERED
        handler = subscription.handlers.get(envelope.event_type)
        if handler is None:
            return Outcome.IGNORED
        with log_context(
            organisation_id=envelope.organisation_id,
            subject_id=envelope.subject_id,
            correlation_id=envelope.correlation_id,
            event_id=envelope.event_id,
            event_type=envelope.event_type,
        ):
            return await self._handle(subscription, record, envelope, handler)

    async def _handle(
        self,
        subscription: Subscription,
        record: ConsumedRecord,
        envelope: Envelope[Any],
        handler: EventHandler,
    ) -> Outcome:
        attempt = 0
        while True:
            attempt += 1
            try:
                await self._in_transaction(subscription, envelope, handler)
                return Outcome.PROCESSED
            except _Duplicate:
                return Outcome.DUPLICATE
            except DATABASE_UNAVAILABLE as exc:
                attempt -= 1
                log.warning("database unavailable; will retry the event", exc_info=exc)
                await asyncio.sleep(_OUTAGE_RETRY_S)
            except Exception as exc:
                if attempt >= self._max_attempts:
                    log.exception("event failed %d times; dead-lettering it", attempt)
                    await self._dead_letter(
                        subscription, record, "handler_failed", _describe(exc), attempt
                    )
                    return Outcome.DEAD_LETTERED
                log.warning(
                    "event failed (try %d of %d)", attempt, self._max_attempts, exc_info=exc
                )
                await asyncio.sleep(self._retry_backoff_s * 2 ** (attempt - 1))

    async def _in_transaction(
        self, subscription: Subscription, envelope: Envelope[Any], handler: EventHandler
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                "INSERT INTO inbox (consumer_group, event_id, topic, event_type)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                subscription.group,
                envelope.event_id,
                subscription.topic,
                envelope.event_type,
            )
            if status.endswith(" 0"):
                raise _Duplicate
            await handler(conn, envelope)

    async def _dead_letter(
        self,
        subscription: Subscription,
        record: ConsumedRecord,
        reason: str,
        error: str,
        attempts: int,
    ) -> None:
        headers = {name: value.decode(errors="replace") for name, value in record.headers}
        headers.update(
            {
                "dlq_reason": reason,
                "dlq_error": error[:2000],
                "dlq_attempts": str(attempts),
                "dlq_group": subscription.group,
                "dlq_original_topic": record.topic,
                "dlq_original_partition": str(record.partition),
                "dlq_original_offset": str(record.offset),
            }
        )
        ack = await self._dead_letters.send(
            dlq_topic(record.topic, subscription.group), record.key or b"", record.value, headers
        )
        await ack
        DEAD_LETTERED.labels(record.topic, subscription.group, reason).inc()
        log.error(
            "dead-lettered %s[%d]@%d: %s",
            record.topic,
            record.partition,
            record.offset,
            reason,
            extra={"dlq_error": error[:500]},
        )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
