"""``countersign-topics``: creates every contract topic and every dead-letter topic.

Partition counts bound how far a consumer group scales out; keys (subject ids) keep each item's
events in order within a partition.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from countersign_contracts import TOPICS, dlq_topic

from countersign_platform.service import installed_services

__all__ = ["ensure_topics", "main", "wanted_topics"]

DEFAULT_PARTITIONS = 6
DLQ_PARTITIONS = 1


def wanted_topics(partitions: int = DEFAULT_PARTITIONS) -> dict[str, int]:
    topics = dict.fromkeys(TOPICS, partitions)
    for spec in installed_services().values():
        for subscription in spec.consumes:
            topics[dlq_topic(subscription.topic, subscription.group)] = DLQ_PARTITIONS
    return topics


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
    args = parser.parse_args(argv)
    topics = wanted_topics(args.partitions)
    created = asyncio.run(ensure_topics(args.bootstrap, topics, args.replication))
    print(f"topics: {len(topics)} wanted, {len(created)} created")
    return 0


if __name__ == "__main__":
    sys.exit(main())
