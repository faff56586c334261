"""``countersign-topics``: creates every contract topic, the dead-letter topics of every
installed service, and each service principal's ACLs (kafka_acls.py), all for one topic prefix.
It runs with the admin's principal, the only one allowed to create topics (ADR 0063). With
``--reader`` it grants a team downstream READ on the topics it follows and on its consumer group,
and nothing else (examples/bill-board). A service
still creates its own dead-letter topics when it starts against a broker without ACLs, so an
image that holds one service needs nothing else there.

Partition counts bound how far a consumer group scales out; keys (subject ids) keep each item's
events in order within a partition.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from countersign_contracts import TOPICS, dlq_topic

from countersign_platform.kafka_acls import (
    DEFAULT_PRINCIPAL,
    Acl,
    access_table,
    create_acls,
    reader_acls,
    service_acls,
)
from countersign_platform.kafka_security import client_options
from countersign_platform.spec import ServiceSpec, installed_services

__all__ = ["dead_letter_topics", "ensure_topics", "grant", "main", "provision", "wanted_topics"]

DEFAULT_PARTITIONS = 6
DLQ_PARTITIONS = 1


def wanted_topics(partitions: int = DEFAULT_PARTITIONS, prefix: str = "") -> dict[str, int]:
    return {prefix + topic: partitions for topic in TOPICS}


def dead_letter_topics(
    subscriptions: Iterable[tuple[str, str]], prefix: str = ""
) -> dict[str, int]:
    """The dead-letter topic of each ``(topic, group)`` a service consumes."""
    return {prefix + dlq_topic(topic, group): DLQ_PARTITIONS for topic, group in subscriptions}


def _admin(bootstrap: str, options: Mapping[str, Any] | None) -> AIOKafkaAdminClient:
    """Options: KafkaSecurity.client_options(); None: from the KAFKA_* environment."""
    return AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="countersign-topics",
        **(client_options() if options is None else options),
    )


async def ensure_topics(
    bootstrap: str,
    topics: dict[str, int],
    replication: int = 1,
    options: Mapping[str, Any] | None = None,
) -> list[str]:
    admin = _admin(bootstrap, options)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in topics if name not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(name, topics[name], replication) for name in missing]
            )
            await _visible(admin, missing)
        return missing
    finally:
        await admin.close()


async def _visible(admin: AIOKafkaAdminClient, names: list[str], timeout_s: float = 30.0) -> None:
    """Waits until the broker serves ``names`` (each partition with a leader). The controller
    has committed them already, but until the broker has them a client is told what it would
    be told of a topic that does not exist: a service principal, which may not create topics,
    is refused (TopicAuthorizationFailed), as the broker would auto-create a missing one."""
    deadline = time.monotonic() + timeout_s
    while True:
        described = await admin.describe_topics(names)
        if all(
            topic["error_code"] == 0
            and topic["partitions"]
            and all(partition["leader"] >= 0 for partition in topic["partitions"])
            for topic in described
        ):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"kafka: the broker does not serve {names} yet")
        await asyncio.sleep(0.05)


async def provision(
    bootstrap: str,
    prefix: str = "",
    *,
    partitions: int = DEFAULT_PARTITIONS,
    replication: int = 1,
    principal_format: str = DEFAULT_PRINCIPAL,
    services: Iterable[ServiceSpec] | None = None,
    options: Mapping[str, Any] | None = None,
    acls: bool = True,
) -> tuple[list[str], int]:
    """Every topic of ``prefix`` (contract and dead-letter) and every service's ACLs on them;
    returns the topics created and the ACLs granted (0 on a broker without an authorizer)."""
    specs = list(installed_services().values() if services is None else services)
    topics = wanted_topics(partitions, prefix)
    for spec in specs:
        topics |= dead_letter_topics(((s.topic, s.group) for s in spec.consumes), prefix)
    created = await ensure_topics(bootstrap, topics, replication, options)
    if not acls:
        return created, 0
    wanted = [acl for spec in specs for acl in service_acls(spec, prefix, principal_format)]
    return created, await grant(bootstrap, wanted, options)


async def grant(bootstrap: str, acls: list[Acl], options: Mapping[str, Any] | None = None) -> int:
    """Grants ``acls`` with the admin's principal; the number granted, 0 on a broker without
    an authorizer."""
    admin = _admin(bootstrap, options)
    await admin.start()
    try:
        granted = await create_acls(admin, acls)
    finally:
        await admin.close()
    return len(acls) if granted else 0


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
    parser.add_argument(
        "--principal-format",
        default=os.environ.get("KAFKA_PRINCIPAL_FORMAT", DEFAULT_PRINCIPAL),
        help="each service's principal, {service} its name (default: $KAFKA_PRINCIPAL_FORMAT "
        f"or {DEFAULT_PRINCIPAL})",
    )
    parser.add_argument(
        "--access-table",
        action="store_true",
        help="print what each service may do as JSON (the chart's files/kafka-access.json) and "
        "exit, touching no broker",
    )
    parser.add_argument(
        "--no-acls",
        action="store_true",
        help="write no ACLs (kept elsewhere, for example by Strimzi's User Operator)",
    )
    reader = parser.add_argument_group(
        "a reader downstream", "grant READ on --topic (repeatable) and --group, then exit"
    )
    reader.add_argument("--reader", metavar="PRINCIPAL", help="for example User:bill-board")
    reader.add_argument("--group", help="the reader's consumer group")
    reader.add_argument("--topic", action="append", default=[], help="a topic it follows")
    args = parser.parse_args(argv)
    if args.reader:
        if not args.group:
            parser.error("--reader needs --group")
        try:
            acls = reader_acls(args.reader, args.group, args.topic, args.prefix)
        except ValueError as refused:
            parser.error(str(refused))
        granted = asyncio.run(grant(args.bootstrap, acls))
        print(f"{args.reader}: {granted} ACLs granted")
        return 0
    if args.access_table:
        print(json.dumps(access_table(installed_services().values()), indent=2))
        return 0
    created, granted = asyncio.run(
        provision(
            args.bootstrap,
            args.prefix,
            partitions=args.partitions,
            replication=args.replication,
            principal_format=args.principal_format,
            acls=not args.no_acls,
        )
    )
    print(f"topics: {len(created)} created; ACLs: {granted} granted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
