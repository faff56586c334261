"""One Kafka consumer per consumer group, for all of the group's topics (ADR 0039), polled by a
loop of our own (ADR 0042):

    poll (returns the moment records are fetched; waits at most ``poll_timeout_ms`` when idle;
          a group nobody waits on may ``linger_ms`` for more records to settle together)
      ─▶ settle the batch topic by topic (``EventConsumer.consume_batch``: decode, inbox,
         handler, database commit, or the dead-letter queue)
      ─▶ note the offsets after the last record of each partition; commit what is noted once
         ``commit_interval_ms`` has passed since the last commit, when a poll comes back
         empty, before partitions are taken away (a rebalance) and before stopping
      on a failure to settle (only when even the dead-letter send failed): rewind every
      partition of the batch to its first record, pause, poll again — the records already
      settled come back as duplicates and the inbox drops them

Offsets are only ever committed after the database commits of every record before them. A
crash redelivers what was settled since the last offset commit; the inbox drops the repeats.
Committing per interval rather than per batch costs the broker one commit where a light,
steady stream would otherwise cost one per record. Stopping lets a batch being settled finish
(up to ``graceful_s``) before the consumer leaves its group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata

from countersign_platform.consumer import ConsumedRecord, EventConsumer
from countersign_platform.kafka_security import client_options
from countersign_platform.subscription import Subscription

__all__ = ["GroupConsumer"]

log = logging.getLogger(__name__)

_PAUSE_S = 1.0

Batch = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]


class GroupConsumer:
    def __init__(
        self,
        consumer: EventConsumer,
        subscriptions: Sequence[Subscription],
        *,
        bootstrap_servers: str,
        topic_prefix: str = "",
        client_id: str,
        max_records: int = 100,
        fetch_min_bytes: int = 1,
        fetch_max_wait_ms: int = 500,
        poll_timeout_ms: int = 1000,
        commit_interval_ms: int = 200,
        linger_ms: int = 0,
        graceful_s: float = 10.0,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        groups = {s.group for s in subscriptions}
        if len(groups) != 1:
            raise ValueError(f"one consumer serves one group, not {sorted(groups)}")
        self._by_topic = {topic_prefix + s.topic: s for s in subscriptions}
        if len(self._by_topic) != len(subscriptions):
            raise ValueError(f"group {groups.pop()} names a topic twice; merge its handlers")
        # The prefix names the stack, so stacks sharing a cluster never share a consumer group.
        self.group_id = topic_prefix + groups.pop()
        self._consumer = consumer
        self._kafka = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_records,
            fetch_min_bytes=fetch_min_bytes,
            fetch_max_wait_ms=fetch_max_wait_ms,
            # Security (KafkaSecurity.client_options); None: from the KAFKA_* environment.
            **(client_options() if options is None else options),
        )
        self._max_records = max_records
        self._poll_timeout_ms = poll_timeout_ms
        self._commit_interval_s = commit_interval_ms / 1000
        self._linger_s = linger_ms / 1000
        self._noted: dict[TopicPartition, OffsetAndMetadata] = {}
        self._committed_at = 0.0
        self._graceful_s = graceful_s
        self._settling = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(self._by_topic)

    async def start(self) -> None:
        self._kafka.subscribe(list(self._by_topic), listener=_CommitBeforeRevoking(self))
        await self._kafka.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.group_id}")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            if self._settling.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._task), self._graceful_s)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.commit_noted()
        await self._kafka.stop()

    async def commit_noted(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        """Commits the offsets noted so far (of ``partitions`` only, when given)."""
        chosen = set(self._noted) if partitions is None else set(partitions) & set(self._noted)
        if not chosen:
            return
        offsets = {partition: self._noted.pop(partition) for partition in chosen}
        self._committed_at = time.monotonic()
        try:
            await self._kafka.commit(offsets)
        except KafkaError as exc:
            # A rebalance took the partitions away: their next owner redelivers what was
            # settled here since the last commit, and its inbox drops it.
            log.warning("%s: offsets not committed (%s)", self.group_id, exc)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                batch = await self._poll()
            except KafkaError as exc:
                log.warning("%s: poll failed (%s); retrying", self.group_id, exc)
                await asyncio.sleep(_PAUSE_S)
                continue
            if batch:
                self._settling.set()
                try:
                    await self._settle(batch)
                finally:
                    self._settling.clear()
            if not batch or time.monotonic() - self._committed_at >= self._commit_interval_s:
                await self.commit_noted()

    async def _poll(self) -> Batch:
        batch: Batch = await self._kafka.getmany(
            timeout_ms=self._poll_timeout_ms, max_records=self._max_records
        )
        room = self._max_records - sum(len(records) for records in batch.values())
        if batch and room > 0 and self._linger_s > 0:
            # Records that arrive a moment apart settle together: one transaction and one
            # offset commit for them all, where nobody waits on each one.
            await asyncio.sleep(self._linger_s)
            more: Batch = await self._kafka.getmany(timeout_ms=0, max_records=room)
            for partition, records in more.items():
                batch.setdefault(partition, []).extend(records)
        return batch

    async def _settle(self, batch: Batch) -> None:
        polled: dict[str, list[ConsumedRecord]] = {}
        for records in batch.values():
            for raw in records:
                polled.setdefault(raw.topic, []).append(_consumed(raw))
        try:
            for topic, consumed in polled.items():
                await self._consumer.consume_batch(self._by_topic[topic], consumed)
        except Exception:
            log.exception("could not settle a batch of %s; rewinding", ", ".join(polled))
            for partition, records in batch.items():
                self._kafka.seek(partition, records[0].offset)
            await asyncio.sleep(_PAUSE_S)
            return
        for partition, records in batch.items():
            self._noted[partition] = OffsetAndMetadata(records[-1].offset + 1, "")


class _CommitBeforeRevoking(ConsumerRebalanceListener):  # type: ignore[misc]
    """Commits what was settled on the partitions a rebalance takes away, before it does."""

    def __init__(self, owner: GroupConsumer) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        await self._owner.commit_noted(revoked)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        pass


def _consumed(raw: ConsumerRecord[bytes, bytes]) -> ConsumedRecord:
    return ConsumedRecord(
        topic=raw.topic,
        partition=raw.partition,
        offset=raw.offset,
        key=raw.key,
        value=raw.value or b"",
        headers=tuple(raw.headers or ()),
    )
