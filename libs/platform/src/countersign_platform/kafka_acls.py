"""The ACLs each service's principal needs, and nothing more (ADR 0063), written by the topics
job with the admin's principal for its topic prefix:

- WRITE on the topics it owns (its ``ServiceSpec.produces``);
- READ on the topics it consumes, and on its consumer groups (a PREFIXED pattern: the group's
  name after the topic prefix, so ``<prefix><group>`` and nothing of another service);
- WRITE on its own dead-letter topics (``dlq_topic(topic, group)``, one per subscription);
- IDEMPOTENT_WRITE on the cluster (its producer is idempotent; no transactions are used).

CREATE is nobody's but the admin's (a super user): every topic, dead-letter topics included,
is created by the topics job. Principals are ``User:<service name>`` unless a format says
otherwise (``User:countersign-{service}`` for a Strimzi ``KafkaUser`` of that name).

aiokafka's admin client has no call for ACLs; the CreateAcls request (API 30, v1, present in
every Kafka since 2.0) is sent through it as is.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest_v1, DescribeAclsRequest
from aiokafka.protocol.api import Request
from countersign_contracts import TOPICS, dlq_topic

from countersign_platform.spec import ServiceSpec

__all__ = ["Acl", "access_table", "create_acls", "reader_acls", "service_acls"]

log = logging.getLogger(__name__)

DEFAULT_PRINCIPAL = "User:{service}"
_SECURITY_DISABLED = 54  # the broker has no authorizer: there is nothing to grant


class Resource(IntEnum):
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4


class Pattern(IntEnum):
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    READ = 3
    WRITE = 4
    IDEMPOTENT_WRITE = 12


_ALLOW = 3


@dataclass(frozen=True, order=True)
class Acl:
    principal: str
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation


def service_acls(
    spec: ServiceSpec, prefix: str = "", principal_format: str = DEFAULT_PRINCIPAL
) -> list[Acl]:
    """What ``spec``'s principal may do on the topics and groups of ``prefix``."""
    who = principal_format.format(service=spec.name)

    def topic(name: str, operation: Operation) -> Acl:
        return Acl(who, Resource.TOPIC, prefix + name, Pattern.LITERAL, operation)

    acls = {topic(name, Operation.WRITE) for name in spec.produces}
    for subscription in spec.consumes:
        acls.add(topic(subscription.topic, Operation.READ))
        acls.add(topic(dlq_topic(subscription.topic, subscription.group), Operation.WRITE))
        group = prefix + subscription.group
        acls.add(Acl(who, Resource.GROUP, group, Pattern.PREFIXED, Operation.READ))
    if acls:
        cluster = Acl(
            who, Resource.CLUSTER, "kafka-cluster", Pattern.LITERAL, Operation.IDEMPOTENT_WRITE
        )
        acls.add(cluster)
    return sorted(acls)


def reader_acls(principal: str, group: str, topics: Iterable[str], prefix: str = "") -> list[Acl]:
    """What a team downstream needs to follow ``topics`` in its consumer group ``group``, and
    nothing more: READ on each topic (of ``prefix``) and on that one group. It can write
    nothing, create nothing, and read no dead letters."""
    wanted = set(topics)
    unknown = sorted(wanted - set(TOPICS))
    if unknown or not wanted:
        raise ValueError(f"a reader follows Countersign's topics; not one: {unknown or '(none)'}")
    acls = {
        Acl(principal, Resource.TOPIC, prefix + t, Pattern.LITERAL, Operation.READ) for t in wanted
    }
    acls.add(Acl(principal, Resource.GROUP, group, Pattern.LITERAL, Operation.READ))
    return sorted(acls)


def access_table(specs: Iterable[ServiceSpec]) -> dict[str, Any]:
    """What each service may do, without a prefix, for resources kept outside this code (the
    Helm chart's Strimzi KafkaUser and KafkaTopic resources read it as files/kafka-access.json):
    the topics it writes (its own and its dead letters), reads, and its consumer groups."""
    services: dict[str, dict[str, list[str]]] = {}
    for spec in specs:
        acls = service_acls(spec)
        services[spec.name] = {
            "writes": sorted(a.name for a in acls if a.operation is Operation.WRITE),
            "reads": sorted(
                a.name
                for a in acls
                if a.operation is Operation.READ and a.resource is Resource.TOPIC
            ),
            "groups": sorted(a.name for a in acls if a.resource is Resource.GROUP),
        }
    dead_letters = sorted(
        {name for s in services.values() for name in s["writes"] if ".dlq." in name}
    )
    return {
        "topics": sorted(TOPICS),
        "deadLetterTopics": dead_letters,
        "services": {name: s for name, s in services.items() if any(s.values())},
    }


class _CreateAcls(Request[CreateAclsRequest_v1]):  # type: ignore[misc]
    API_KEY = 30

    def __init__(self, acls: Iterable[Acl]) -> None:
        self._creations = [
            (a.resource, a.name, a.pattern, a.principal, "*", a.operation, _ALLOW) for a in acls
        ]

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class(self._creations)


async def create_acls(admin: AIOKafkaAdminClient, acls: list[Acl]) -> bool:
    """Grants ``acls`` (granting one twice changes nothing). False when the broker has no
    authorizer (a plaintext broker of one's own): nothing is checked, so nothing to grant."""
    if not acls:
        return True
    response = await admin._send_request(_CreateAcls(acls))  # no public call
    errors = {(code, message) for code, message in response.creation_responses if code}
    if {code for code, _ in errors} == {_SECURITY_DISABLED}:
        log.info("kafka: the broker has no authorizer; %d ACLs not written", len(acls))
        return False
    if errors:
        raise RuntimeError(f"kafka: CreateAcls failed: {sorted(errors)}")
    await _applied(admin, acls)
    return True


async def _applied(admin: AIOKafkaAdminClient, acls: list[Acl], timeout_s: float = 15.0) -> None:
    """Waits until the broker enforces every one of ``acls``: the controller has committed
    them (in batches of its own), but the broker's authorizer applies them moments later, and
    a client that came sooner would be refused."""

    async def missing(acl: Acl) -> bool:
        request = DescribeAclsRequest(
            acl.resource, acl.name, acl.pattern, acl.principal, "*", acl.operation, _ALLOW
        )
        return not (await admin._send_request(request)).resources

    deadline = time.monotonic() + timeout_s
    pending = acls
    while True:
        found = await asyncio.gather(*(missing(acl) for acl in pending))
        pending = [acl for acl, absent in zip(pending, found, strict=True) if absent]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"kafka: the broker does not enforce {pending[0]} yet")
        await asyncio.sleep(0.05)
