"""Consuming Kafka records: decode, dedupe, handle, commit — or dead-letter.

    record ─▶ decode contract ──invalid, or not from the topic's producer──▶ DLQ ─┐
               │ valid, from its producer (provenance.py)                         │
               ▼                                                                  │
          BEGIN; INSERT inbox(event_id) ──already there──▶ ROLLBACK (dup) ────────┤
               │ new                                                              │
               ▼                                                                  ▼
          handler(conn, envelope) ─▶ COMMIT ────────────────────────────▶ commit Kafka offset
               │ raised
               ▼
          ROLLBACK; try again (bounded, with backoff) ──still failing──▶ DLQ

A poll's records are handled in one transaction (an inbox row and the handler's writes for
each, one commit for all); if any handler raises, that transaction is rolled back and every
record of the poll goes through the path above on its own, so one bad record costs the others
nothing but a second try. Records whose ``ce_type`` header names a type the group does not
handle are skipped unread.

The Kafka offset is committed only after the database transaction (or the dead-letter send)
has succeeded, so a crash anywhere redelivers the record and the inbox makes that harmless.
When the database itself is unreachable the record is retried until it comes back, without
counting tries: an outage must not empty the topic into the dead-letter queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import asyncpg
from countersign_contracts import ContractViolation, Envelope, decode, dlq_topic

from countersign_platform.kafka_tracing import processing
from countersign_platform.outages import database_unavailable
from countersign_platform.outbox import Producer
from countersign_platform.provenance import foreign_producer
from countersign_platform.subscription import EventHandler, Subscription
from countersign_platform.telemetry import CONSUMED, DEAD_LETTERED, log_context

__all__ = ["ConsumedRecord", "EventConsumer", "Outcome"]

log = logging.getLogger(__name__)

_OUTAGE_RETRY_S = 1.0


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
        read = await self._read(subscription, record)
        outcome = (
            read if isinstance(read, Outcome) else await self._handle(subscription, record, *read)
        )
        CONSUMED.labels(record.topic, subscription.group, outcome.value).inc()
        return outcome

    async def consume_batch(
        self, subscription: Subscription, records: Sequence[ConsumedRecord]
    ) -> list[Outcome]:
        """The records of one poll, in order. Those to handle run in ONE transaction (one
        commit instead of one each); should any of them fail, it is rolled back and each record
        is settled on its own, exactly as ``consume`` does (retries, then the dead-letter
        queue)."""
        outcomes: list[Outcome | None] = []
        work: list[tuple[int, ConsumedRecord, Envelope[Any], EventHandler]] = []
        for record in records:
            read = await self._read(subscription, record)
            if isinstance(read, Outcome):
                outcomes.append(read)
            else:
                work.append((len(outcomes), record, *read))
                outcomes.append(None)
        together, failed = (
            await self._together(subscription, work) if len(work) > 1 else (None, None)
        )
        for n, (index, record, envelope, handler) in enumerate(work):
            outcomes[index] = (
                together[n]
                if together
                else await self._handle(
                    subscription, record, envelope, handler, tried=int(n == failed)
                )
            )
        settled = [outcome or Outcome.PROCESSED for outcome in outcomes]
        for record, outcome in zip(records, settled, strict=True):
            CONSUMED.labels(record.topic, subscription.group, outcome.value).inc()
        return settled

    async def _read(
        self, subscription: Subscription, record: ConsumedRecord
    ) -> Outcome | tuple[Envelope[Any], EventHandler]:
        """The record's envelope and handler, or why there is nothing to handle."""
        if _header(record, "ce_type") not in (None, *subscription.handlers):
            # Most of a topic's records are of types this group does not handle; the producer's
            # CloudEvents header says so without decoding and validating the body.
            return Outcome.IGNORED
        try:
            envelope = decode(subscription.topic, record.value)
        except ContractViolation as violation:
            await self._dead_letter(subscription, record, violation.reason, str(violation), 1)
            return Outcome.DEAD_LETTERED
        handler = subscription.handlers.get(envelope.event_type)
        if handler is None:
            return Outcome.IGNORED
        foreign = foreign_producer(subscription, _header(record, "ce_source"), envelope)
        if foreign is not None:
            await self._dead_letter(subscription, record, "unexpected_producer", foreign, 1)
            return Outcome.DEAD_LETTERED
        return envelope, handler

    async def _together(
        self,
        subscription: Subscription,
        work: Sequence[tuple[int, ConsumedRecord, Envelope[Any], EventHandler]],
    ) -> tuple[list[Outcome] | None, int | None]:
        """Handles ``work`` in one transaction: the outcomes, or None and the position of the
        record whose handler raised (its try counts; an unreachable database counts for none)."""
        outcomes: list[Outcome] = []
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                for _index, record, envelope, handler in work:
                    with _handling(subscription, record, envelope):
                        if await _first_delivery(conn, subscription, envelope):
                            await handler(conn, envelope)
                            outcomes.append(Outcome.PROCESSED)
                        else:
                            outcomes.append(Outcome.DUPLICATE)
        except Exception as exc:
            if database_unavailable(exc):
                return None, None
            log.info(
                "%d records failed together; settling each on its own", len(work), exc_info=exc
            )
            return None, len(outcomes)
        return outcomes, None

    async def _handle(
        self,
        subscription: Subscription,
        record: ConsumedRecord,
        envelope: Envelope[Any],
        handler: EventHandler,
        tried: int = 0,
    ) -> Outcome:
        with _handling(subscription, record, envelope):
            return await self._settle(subscription, record, envelope, handler, tried)

    async def _settle(
        self,
        subscription: Subscription,
        record: ConsumedRecord,
        envelope: Envelope[Any],
        handler: EventHandler,
        tried: int,
    ) -> Outcome:
        attempt = tried
        while True:
            attempt += 1
            try:
                await self._in_transaction(subscription, envelope, handler)
                return Outcome.PROCESSED
            except _Duplicate:
                return Outcome.DUPLICATE
            except Exception as exc:
                if database_unavailable(exc):
                    attempt -= 1
                    log.warning("database unavailable; will retry the event", exc_info=exc)
                    await asyncio.sleep(_OUTAGE_RETRY_S)
                    continue
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
            if not await _first_delivery(conn, subscription, envelope):
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
            dlq_reason=reason, dlq_error=error[:2000], dlq_attempts=str(attempts),
            dlq_group=subscription.group, dlq_original_topic=record.topic,
            dlq_original_partition=str(record.partition), dlq_original_offset=str(record.offset),
        )  # fmt: skip
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


async def _first_delivery(
    conn: asyncpg.Connection, subscription: Subscription, envelope: Envelope[Any]
) -> bool:
    """Notes the event in the inbox; False when the group has already handled it."""
    status = await conn.execute(
        "INSERT INTO inbox (consumer_group, event_id, topic, event_type)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        subscription.group,
        envelope.event_id,
        subscription.topic,
        envelope.event_type,
    )
    return not status.endswith(" 0")


@contextlib.contextmanager
def _handling(
    subscription: Subscription, record: ConsumedRecord, envelope: Envelope[Any]
) -> Iterator[None]:
    """The event's ids on every log line, and its "process" span (kafka_tracing.py)."""
    with (
        log_context(
            organisation_id=envelope.organisation_id,
            subject_id=envelope.subject_id,
            correlation_id=envelope.correlation_id,
            event_id=envelope.event_id,
            event_type=envelope.event_type,
        ),
        processing(record, subscription.group),
    ):
        yield


def _header(record: ConsumedRecord, name: str) -> str | None:
    for key, value in record.headers:
        if key == name:
            return value.decode(errors="replace")
    return None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
