"""Reading and writing raw Kafka records in tests, with a deadline instead of a sleep; and each
service's own Kafka principal (ADR 0063).

The test process connects as the ``KAFKA_*`` environment says (the admin, a super user, on the
local stack). A service process the harness starts connects as its own principal, whose
password the stack keeps in ``COUNTERSIGN_KAFKA_USERS_FILE``; its topics and ACLs are written
for its topic prefix first (``provision_prefix``), as the topics job does for a deployment.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from countersign_contracts import EventPayload, encode, kafka_headers, new_envelope, topic_for
from countersign_harness.infra import read_env_file
from countersign_platform.kafka_security import KafkaSecurity, client_options
from countersign_platform.topics import provision

__all__ = [
    "login_environment",
    "produce",
    "produce_event",
    "provision_prefix",
    "read_until",
    "service_security",
]

USERS_FILE = "COUNTERSIGN_KAFKA_USERS_FILE"

_provisioned: set[tuple[str, str]] = set()
_provisioning = threading.Lock()


def service_security(service: str) -> KafkaSecurity | None:
    """``service``'s own principal on the broker of the environment, or None when the broker
    has no users of ours (a plaintext broker, or one run by someone else)."""
    security = KafkaSecurity()
    path = _users_file()
    if path is None or not security.security_protocol.startswith("SASL_"):
        return None
    password = read_env_file(path).get(service)
    return security.as_user(service, password) if password else None


def login_environment(principal: str) -> dict[str, str]:
    """``KAFKA_SASL_USERNAME``/``PASSWORD`` of ``principal``'s own login on the environment's
    broker, or {} when the broker has no users of ours: never the admin's password."""
    security = service_security(principal)
    if security is None or security.sasl_password is None:
        return {}
    return {
        "KAFKA_SASL_USERNAME": principal,
        "KAFKA_SASL_PASSWORD": security.sasl_password.get_secret_value(),
    }


def _users_file() -> Path | None:
    name = os.environ.get(USERS_FILE, "")
    return Path(name) if name and Path(name).is_file() else None


def provision_prefix(bootstrap: str, prefix: str) -> None:
    """Every topic of ``prefix`` and each service principal's ACLs on them, once per process.
    Synchronous (service processes start from fixtures of either kind): run on a thread of
    its own, so that it works inside a running event loop too."""
    with _provisioning:
        if (bootstrap, prefix) in _provisioned:
            return
        # One partition per topic, as the broker's auto-creation gave them before ACLs.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, provision(bootstrap, prefix, partitions=1)).result()
        _provisioned.add((bootstrap, prefix))


async def produce(
    bootstrap: str,
    topic: str,
    records: Sequence[tuple[bytes, bytes, list[tuple[str, bytes]]]],
) -> None:
    """Sends ``(key, value, headers)`` records in order and waits for every acknowledgement."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, **client_options()
    )
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def produce_event(
    bootstrap: str, prefix: str, topic: str, organisation_id: UUID, payload: EventPayload
) -> None:
    """Sends ``payload`` as its producer would, in its envelope, to ``topic`` under ``prefix``
    (the test's topic prefix, without the dot)."""
    envelope = new_envelope(
        payload,
        producer=topic_for(payload).producer,
        organisation_id=organisation_id,
        correlation_id=uuid4(),
    )
    headers = [(k, v.encode()) for k, v in kafka_headers(envelope).items()]
    record = (envelope.subject_id.encode(), encode(envelope), headers)
    await produce(bootstrap, f"{prefix}.{topic}", [record])


async def read_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    timeout_s: float = 30.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Reads ``topic`` from the beginning until ``done(records)`` holds or the time is up."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        metadata_max_age_ms=500,
        **client_options(),
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while not done(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for partition_records in batch.values():
                records.extend(partition_records)
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return records
