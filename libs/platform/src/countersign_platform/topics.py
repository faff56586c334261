"""``countersign-topics``: creates every contract topic (each service also creates its own
dead-letter topics when it starts, so an image that holds one service needs nothing else).

Partition counts bound how far a consumer group scales out; keys (subject ids) keep each item's
events in order within a partition.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Iterable, Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from countersign_contracts import TOPICS, dlq_topic

__all__ = ["dead_letter_topics", "ensure_topics", "main", "wanted_topics"]

DEFAULT_PARTITIONS = 6
DLQ_PARTITIONS = 1


def wanted_topics(partitions: int = DEFAULT_PARTITIONS, prefix: str = "") -> dict[str, int]:
    return {prefix + topic: partitions for topic in TOPICS}


def dead_letter_topics(
    subscriptions: Iterable[tuple[str, str]], prefix: str = ""
) -> dict[str, int]:
    """The dead-letter topic of each ``(topic, group)`` a service consumes."""
    return {prefix + dlq_topic(topic, group): DLQ_PARTITIONS for topic, group in subscriptions}


async def ensure_topics(bootstrap: str, topics: dict[str, int], replication: int = 1) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="countersign-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in topics if name not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(name, topics[name], replication) for name in missing]
            )
        return missing
    finally:
        await admin.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="countersign-topics", description=__doc__)
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--partitions", type=int, default=DEFAULT_PARTITIONS)
    parser.add_argument("--replication", type=int, default=1)
    parser.add_argument(
        "--prefix",
        default=os.environ.get("KAFKA_TOPIC_PREFIX", ""),
        help="prepended to every topic name (default: $KAFKA_TOPIC_PREFIX)",
    )
    args = parser.parse_args(argv)
    topics = wanted_topics(args.partitions, args.prefix)
    created = asyncio.run(ensure_topics(args.bootstrap, topics, args.replication))
    print(f"topics: {len(topics)} wanted, {len(created)} created")
    return 0


if __name__ == "__main__":
    sys.exit(main())
