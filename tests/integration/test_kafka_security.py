"""The broker trusts no one by default (ADR 0063): TLS + SASL/SCRAM on the client listener, and
each service's principal may do its own job and nothing else, under the ACLs the topics job
wrote for a topic prefix. Runs on the stack's secured broker; on a broker without our users
(bring-your-own, plaintext) it skips, and under CI=true it fails."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)
from countersign_contracts import APPROVAL_REQUESTS, COST_ITEMS, LEDGER_PUBLICATIONS, dlq_topic
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce, provision_prefix, read_until, service_security
from countersign_platform.kafka_acls import reader_acls
from countersign_platform.kafka_security import KafkaSecurity
from countersign_platform.topics import grant

pytestmark = pytest.mark.integration


def own(service: str) -> KafkaSecurity:
    security = service_security(service)
    if security is None:
        message = "the broker has no users of ours (KAFKA_SECURITY_PROTOCOL is not SASL_*)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    return security


@pytest.fixture
async def prefix(infra: Infrastructure, isolation: str) -> AsyncIterator[str]:
    prefix = f"{isolation}."
    provision_prefix(infra.kafka_bootstrap_servers, prefix)
    yield prefix


async def send_as(
    infra: Infrastructure,
    security: KafkaSecurity | dict[str, Any],
    topic: str,
    idempotent: bool = True,
) -> None:
    options = security if isinstance(security, dict) else security.client_options()
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap_servers,
        enable_idempotence=idempotent,
        request_timeout_ms=5000,
        **options,
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}", key=b"k")
    finally:
        await producer.stop()


async def test_another_services_principal_cannot_write_approval_requests(
    infra: Infrastructure, prefix: str
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await send_as(infra, own("ingest"), prefix + APPROVAL_REQUESTS)
    with pytest.raises(TopicAuthorizationFailedError):
        await send_as(infra, own("notifier"), prefix + APPROVAL_REQUESTS)


async def test_a_client_without_sasl_or_with_a_wrong_password_cannot_connect(
    infra: Infrastructure,
) -> None:
    security = own("approval")
    anonymous = [
        {"security_protocol": "PLAINTEXT"},  # neither TLS nor a user
        {"security_protocol": "SSL", "ssl_context": security.ssl_context()},  # TLS, no user
    ]
    for options in anonymous:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=infra.kafka_bootstrap_servers, request_timeout_ms=3000, **options
        )
        with pytest.raises((KafkaConnectionError, KafkaError)):
            await admin.start()
            await admin.list_topics()
        await admin.close()
    wrong = security.as_user("approval", "not-the-password")
    with pytest.raises(KafkaError):
        await send_as(infra, wrong, "anything")


async def test_a_service_principal_does_exactly_its_job(infra: Infrastructure, prefix: str) -> None:
    approval = own("approval")
    # Writes the topic it owns, and the dead-letter topic of what it consumes.
    await send_as(infra, approval, prefix + APPROVAL_REQUESTS)
    await send_as(infra, approval, prefix + dlq_topic(COST_ITEMS, "approval"))
    # Not a topic it only reads, nor another group's dead letters.
    for topic in (COST_ITEMS, dlq_topic(APPROVAL_REQUESTS, "ingest")):
        with pytest.raises(TopicAuthorizationFailedError):
            await send_as(infra, approval, prefix + topic)

    # Reads what it consumes in its own group, and commits there.
    await produce(infra.kafka_bootstrap_servers, prefix + COST_ITEMS, [(b"k", b"{}", [])])
    consumer = AIOKafkaConsumer(
        prefix + COST_ITEMS,
        bootstrap_servers=infra.kafka_bootstrap_servers,
        group_id=prefix + "approval",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **approval.client_options(),
    )
    await consumer.start()
    try:
        records = await consumer.getmany(timeout_ms=10_000)
        assert sum(len(batch) for batch in records.values()) == 1
        await consumer.commit()
    finally:
        await consumer.stop()

    # Not in another service's group, nor a topic it does not consume.
    with pytest.raises(GroupAuthorizationFailedError):
        await read_in_group(infra, approval, prefix + COST_ITEMS, prefix + "publisher")
    with pytest.raises(TopicAuthorizationFailedError):
        await read_in_group(infra, approval, prefix + APPROVAL_REQUESTS, prefix + "approval")

    # And creates no topic: that is the topics job's (the admin's) alone.
    admin = AIOKafkaAdminClient(
        bootstrap_servers=infra.kafka_bootstrap_servers, **approval.client_options()
    )
    await admin.start()
    try:
        response = await admin.create_topics([NewTopic(prefix + "approval.own", 1, 1)])
        assert all(error for _name, error, *_ in response.topic_errors), response
    except KafkaError:
        pass  # refused as an exception rather than an error code: refused all the same
    finally:
        await admin.close()
    existing = await read_until(infra.kafka_bootstrap_servers, prefix + COST_ITEMS, bool, 5)
    assert existing, "the admin reads every topic"


async def test_a_reader_downstream_reads_what_it_was_granted_and_nothing_more(
    infra: Infrastructure, prefix: str
) -> None:
    """The example consumer's principal, granted as `countersign-topics --reader` grants it."""
    board = own("bill-board")
    group = prefix + "bill-board"
    acls = reader_acls("User:bill-board", group, [APPROVAL_REQUESTS], prefix)
    assert await grant(infra.kafka_bootstrap_servers, acls) == 2
    await produce(infra.kafka_bootstrap_servers, prefix + APPROVAL_REQUESTS, [(b"k", b"{}", [])])

    await read_in_group(infra, board, prefix + APPROVAL_REQUESTS, group)  # granted: reads
    # Writes nothing, not even what it reads: no producer id (IdempotentWrite is the services'),
    # and a plain producer is refused the topic.
    with pytest.raises(ClusterAuthorizationFailedError):
        await send_as(infra, board, prefix + APPROVAL_REQUESTS)
    with pytest.raises(TopicAuthorizationFailedError):
        await send_as(infra, board, prefix + APPROVAL_REQUESTS, idempotent=False)
    with pytest.raises(TopicAuthorizationFailedError):  # a topic it was not granted
        await read_in_group(infra, board, prefix + LEDGER_PUBLICATIONS, group)
    with pytest.raises(GroupAuthorizationFailedError):  # a service's group
        await read_in_group(infra, board, prefix + APPROVAL_REQUESTS, prefix + "publisher")


async def read_in_group(
    infra: Infrastructure, security: KafkaSecurity, topic: str, group: str
) -> None:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=infra.kafka_bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **security.client_options(),
    )
    try:  # a refusal may come from start() itself (finding the group's coordinator)
        await consumer.start()
        await consumer.getmany(timeout_ms=5000)
        await consumer.commit()
    finally:
        await consumer.stop()
