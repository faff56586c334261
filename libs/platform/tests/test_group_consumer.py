"""When a consumer group commits its offsets — an interval, an empty poll, a rebalance, a stop —
and that it commits only the offsets of records settled, over a scripted stand-in for aiokafka."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import OffsetAndMetadata
from countersign_contracts import (
    APPROVAL_REQUESTS,
    COST_ITEMS,
    CostItemSubmitted,
    Envelope,
    RequestAuthorised,
)
from countersign_platform import kafka_consumer
from countersign_platform.consumer import ConsumedRecord, Outcome
from countersign_platform.kafka_consumer import GroupConsumer
from countersign_platform.subscription import On, Subscription

Batch = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]

PREFIX = "stack-7."
COST_0 = TopicPartition(PREFIX + COST_ITEMS, 0)
COST_1 = TopicPartition(PREFIX + COST_ITEMS, 1)
APPROVALS_0 = TopicPartition(PREFIX + APPROVAL_REQUESTS, 0)


async def handle(conn: Any, envelope: Envelope[Any]) -> None:
    pass


COST = Subscription(COST_ITEMS, "probe", On(CostItemSubmitted, handle))
APPROVALS = Subscription(APPROVAL_REQUESTS, "probe", On(RequestAuthorised, handle))


def poll(*spans: tuple[TopicPartition, Iterable[int]]) -> Batch:
    """A poll's answer: for each partition, records at the given offsets."""
    return {
        partition: [
            ConsumerRecord(
                partition.topic, partition.partition, n, 0, 0, b"k", b"v", None, 1, 1, []
            )
            for n in offsets
        ]
        for partition, offsets in spans
    }


class FakeKafka:
    """aiokafka's consumer as the group uses it. ``feed`` queues a poll's answer (or an error to
    raise); a poll waits for one unless it asks not to wait. ``journal`` notes commits (as the
    next offset of each partition), seeks and the stop."""

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {}
        self.topics: list[str] = []
        self.listener: Any = None
        self.requests: list[tuple[int, int]] = []
        self.journal: list[tuple[str, Any]] = []
        self._answers: asyncio.Queue[Batch | Exception] = asyncio.Queue()
        self._waiting = False
        self._polling = asyncio.Condition()

    def feed(self, *answers: Batch | Exception) -> None:
        for answer in answers:
            self._answers.put_nowait(answer)

    async def polled_all(self) -> None:
        """Returns once every answer fed was taken and settled, and the group polls again."""
        async with self._polling:
            idle = self._polling.wait_for(lambda: self._waiting and self._answers.empty())
            await asyncio.wait_for(idle, 2)

    @property
    def commits(self) -> list[dict[TopicPartition, int]]:
        return [offsets for what, offsets in self.journal if what == "commit"]

    def subscribe(self, topics: list[str], *, listener: Any) -> None:
        self.topics, self.listener = topics, listener

    async def start(self) -> None:
        self.journal.append(("start", None))

    async def stop(self) -> None:
        self.journal.append(("stop", None))

    async def commit(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        self.journal.append(("commit", {tp: meta.offset for tp, meta in offsets.items()}))

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.journal.append(("seek", (partition, offset)))

    async def getmany(self, *, timeout_ms: int, max_records: int) -> Batch:
        self.requests.append((timeout_ms, max_records))
        if timeout_ms == 0 and self._answers.empty():
            return {}
        async with self._polling:
            self._waiting = True
            self._polling.notify_all()
        try:
            answer = await self._answers.get()
        finally:
            self._waiting = False
        if isinstance(answer, Exception):
            raise answer
        return answer


class Settler:
    """``EventConsumer.consume_batch`` as the group calls it: notes each topic's offsets;
    raises ``failure`` when set; holds on at ``gate`` while it is closed."""

    def __init__(self) -> None:
        self.settled: list[tuple[str, list[int]]] = []
        self.failure: Exception | None = None
        self.gate = asyncio.Event()
        self.gate.set()
        self.entered = asyncio.Event()

    async def consume_batch(
        self, subscription: Subscription, records: Sequence[ConsumedRecord]
    ) -> list[Outcome]:
        self.entered.set()
        await self.gate.wait()
        if self.failure is not None:
            raise self.failure
        self.settled.append((subscription.topic, [r.offset for r in records]))
        return [Outcome.PROCESSED] * len(records)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def kafka(monkeypatch: pytest.MonkeyPatch) -> FakeKafka:
    fake = FakeKafka()

    def build(**settings: Any) -> FakeKafka:
        fake.settings = settings
        return fake

    monkeypatch.setattr(kafka_consumer, "AIOKafkaConsumer", build)
    monkeypatch.setattr(kafka_consumer, "_PAUSE_S", 0.0)
    return fake


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(kafka_consumer, "time", SimpleNamespace(monotonic=fake))
    return fake


def group_of(settler: Settler, *subscriptions: Subscription, **options: Any) -> GroupConsumer:
    return GroupConsumer(
        settler,
        subscriptions or (COST,),
        bootstrap_servers="kafka:9092",
        topic_prefix=PREFIX,
        client_id="probe-1",
        **{"commit_interval_ms": 200, "options": {}, **options},
    )


@contextlib.asynccontextmanager
async def running(group: GroupConsumer) -> AsyncIterator[GroupConsumer]:
    await group.start()
    try:
        yield group
    finally:
        await group.stop()


def test_one_consumer_serves_exactly_one_group(kafka: FakeKafka) -> None:
    elsewhere = Subscription(APPROVAL_REQUESTS, "other", On(RequestAuthorised, handle))

    with pytest.raises(ValueError, match="one group"):
        group_of(Settler(), COST, elsewhere)


def test_a_topic_named_twice_in_a_group_is_refused(kafka: FakeKafka) -> None:
    with pytest.raises(ValueError, match="names a topic twice"):
        group_of(Settler(), COST, COST)


async def test_a_group_reads_its_topics_under_the_stack_prefix_with_auto_commit_off(
    kafka: FakeKafka,
) -> None:
    async with running(group_of(Settler(), COST, APPROVALS)) as group:
        assert group.group_id == "stack-7.probe"
        assert kafka.settings["group_id"] == "stack-7.probe"
        assert kafka.settings["enable_auto_commit"] is False
        assert kafka.topics == [COST_0.topic, APPROVALS_0.topic]


async def test_a_poll_is_settled_topic_by_topic_with_each_topics_subscription(
    kafka: FakeKafka, clock: Clock
) -> None:
    settler = Settler()
    kafka.feed(poll((COST_0, [5, 6]), (APPROVALS_0, [0]), (COST_1, [9])))

    async with running(group_of(settler, COST, APPROVALS)):
        await kafka.polled_all()

    assert settler.settled == [(COST_ITEMS, [5, 6, 9]), (APPROVAL_REQUESTS, [0])]


async def test_a_settled_poll_commits_the_offset_after_each_partitions_last_record(
    kafka: FakeKafka, clock: Clock
) -> None:
    kafka.feed(poll((COST_0, [5, 6]), (COST_1, [9])))

    async with running(group_of(Settler())):
        await kafka.polled_all()
        assert kafka.commits == [{COST_0: 7, COST_1: 10}]


async def test_offsets_settled_within_the_commit_interval_wait_for_its_end(
    kafka: FakeKafka, clock: Clock
) -> None:
    async with running(group_of(Settler(), commit_interval_ms=200)):
        kafka.feed(poll((COST_0, [0])))
        await kafka.polled_all()
        clock.now += 0.1
        kafka.feed(poll((COST_0, [1]), (COST_1, [0])))
        await kafka.polled_all()
        assert kafka.commits == [{COST_0: 1}]

        clock.now += 0.1
        kafka.feed(poll((COST_0, [2])))
        await kafka.polled_all()
        assert kafka.commits == [{COST_0: 1}, {COST_0: 3, COST_1: 1}]


async def test_an_empty_poll_commits_what_was_settled(kafka: FakeKafka, clock: Clock) -> None:
    async with running(group_of(Settler(), commit_interval_ms=60_000)):
        kafka.feed(poll((COST_0, [0])))
        await kafka.polled_all()
        kafka.feed(poll((COST_0, [1])))
        await kafka.polled_all()
        assert kafka.commits == [{COST_0: 1}]

        kafka.feed({})
        await kafka.polled_all()
        assert kafka.commits == [{COST_0: 1}, {COST_0: 2}]


async def test_a_rebalance_commits_the_offsets_of_the_revoked_partitions_before_they_go(
    kafka: FakeKafka, clock: Clock
) -> None:
    async with running(group_of(Settler(), commit_interval_ms=60_000)):
        kafka.feed(poll((COST_0, [0])), poll((COST_0, [1]), (COST_1, [4])))
        await kafka.polled_all()

        await kafka.listener.on_partitions_revoked([COST_0])
        assert kafka.commits[1:] == [{COST_0: 2}]

    assert kafka.commits[1:] == [{COST_0: 2}, {COST_1: 5}]  # the rest, as the group stopped


async def test_a_revocation_during_a_batch_commits_only_what_was_settled_before_it(
    kafka: FakeKafka, clock: Clock
) -> None:
    settler = Settler()
    async with running(group_of(settler, commit_interval_ms=60_000)):
        kafka.feed(poll((COST_0, [0])), poll((COST_0, [1])))
        await kafka.polled_all()
        settler.gate.clear()
        settler.entered.clear()
        kafka.feed(poll((COST_0, [2, 3])))
        await asyncio.wait_for(settler.entered.wait(), 2)

        await kafka.listener.on_partitions_revoked([COST_0])

        assert kafka.commits == [{COST_0: 1}, {COST_0: 2}]
        settler.gate.set()


async def test_stopping_commits_what_was_settled_and_then_leaves_the_group(
    kafka: FakeKafka, clock: Clock
) -> None:
    async with running(group_of(Settler(), commit_interval_ms=60_000)):
        kafka.feed(poll((COST_0, [0])), poll((COST_0, [1])))
        await kafka.polled_all()
        assert kafka.commits == [{COST_0: 1}]

    assert kafka.journal[-2:] == [("commit", {COST_0: 2}), ("stop", None)]


async def test_stopping_lets_the_batch_being_settled_finish_and_commits_it(
    kafka: FakeKafka, clock: Clock
) -> None:
    settler = Settler()
    settler.gate.clear()
    group = group_of(settler, commit_interval_ms=60_000)
    await group.start()
    kafka.feed(poll((COST_0, [0])), poll((COST_0, [1, 2])))
    await asyncio.wait_for(settler.entered.wait(), 2)

    stopping = asyncio.create_task(group.stop())
    await asyncio.sleep(0.01)
    settler.gate.set()
    await stopping

    assert settler.settled == [(COST_ITEMS, [0])]  # the next poll was never taken
    assert kafka.commits == [{COST_0: 1}]
    assert kafka.journal[-1] == ("stop", None)


async def test_a_batch_that_outlasts_the_grace_period_is_left_uncommitted(
    kafka: FakeKafka, clock: Clock
) -> None:
    settler = Settler()
    group = group_of(settler, graceful_s=0.01)
    await group.start()
    settler.gate.clear()
    kafka.feed(poll((COST_0, [0])))
    await asyncio.wait_for(settler.entered.wait(), 2)

    await group.stop()

    assert settler.settled == []
    assert kafka.commits == []
    assert kafka.journal[-1] == ("stop", None)


async def test_a_batch_that_fails_to_settle_is_rewound_and_not_committed(
    kafka: FakeKafka, clock: Clock
) -> None:
    settler = Settler()
    async with running(group_of(settler)):
        kafka.feed(poll((COST_0, [0])))
        await kafka.polled_all()
        settler.failure = ConnectionResetError("the dead-letter send failed too")
        clock.now += 1
        kafka.feed(poll((COST_0, [1, 2]), (COST_1, [7])))
        await kafka.polled_all()

        assert kafka.commits == [{COST_0: 1}]
        assert [entry for what, entry in kafka.journal if what == "seek"] == [
            (COST_0, 1),
            (COST_1, 7),
        ]

        settler.failure = None
        clock.now += 1
        kafka.feed(poll((COST_0, [1, 2]), (COST_1, [7])))  # redelivered after the rewind
        await kafka.polled_all()
        assert kafka.commits == [{COST_0: 1}, {COST_0: 3, COST_1: 8}]


async def test_a_failed_poll_is_tried_again(kafka: FakeKafka, clock: Clock) -> None:
    settler = Settler()
    async with running(group_of(settler)):
        kafka.feed(KafkaConnectionError("broker away"), poll((COST_0, [0])))
        await kafka.polled_all()

    assert settler.settled == [(COST_ITEMS, [0])]


async def test_a_lingering_group_settles_records_arriving_a_moment_later_with_the_first(
    kafka: FakeKafka, clock: Clock
) -> None:
    settler = Settler()
    kafka.feed(poll((COST_0, [0, 1])), poll((COST_0, [2]), (COST_1, [0])))

    async with running(group_of(settler, linger_ms=1, max_records=5)):
        await kafka.polled_all()

    assert settler.settled == [(COST_ITEMS, [0, 1, 2, 0])]
    assert kafka.requests[1] == (0, 3)  # no wait, and only room for what the poll can hold
    assert kafka.commits == [{COST_0: 3, COST_1: 1}]
