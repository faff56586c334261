"""A bad body or query sent to the publisher's operator API is refused with a 4xx problem naming
the field and the rule, and stores nothing: no connection, no publication, no outbox row."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import RunningPublisher, publisher_settings, running_publisher
from countersign_harness.xero_process import XeroSandbox

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Bad:
    name: str
    method: str
    path: str  # under /v1/organisations/{org}
    field: str
    rule: str
    body: Any = None
    params: dict[str, str] = field(default_factory=dict)
    status: int = 422


TOKENS = {"access_token": "a" * 20, "refresh_token": "r" * 20}
CASES = [
    Bad("NUL in a publication filter", "GET", "/publications", "dext_item_id",
        "control_characters", params={"dext_item_id": "item\x00"}),
    Bad("NUL in a tenant id", "PUT", "/xero-connection", "tenant_id", "control_characters",
        {**TOKENS, "tenant_id": "t\x00"}),
    Bad("line break in an access token", "PUT", "/xero-connection", "access_token",
        "control_characters", {**TOKENS, "access_token": "a\r\nX-Injected: 1"}),
    Bad("tenant id twice", "PUT", "/xero-connection", "tenant_id", "duplicate_key",
        b'{"access_token": "aaaaaaaaaa", "refresh_token": "rrrrrrrrrr",'
        b' "tenant_id": "t-1", "tenant_id": "t-2"}'),
    Bad("a connection nested 100,000 deep", "PUT", "/xero-connection", "body", "json_too_deep",
        b'{"tenant_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    Bad("the tenant misspelled", "PUT", "/xero-connection", "tenantId", "extra_forbidden",
        {**TOKENS, "tenantId": "t-2"}),
]  # fmt: skip


@pytest.fixture(scope="module")
async def publisher(
    infra: Infrastructure, xero_sandbox: XeroSandbox
) -> AsyncIterator[RunningPublisher]:
    isolation = "t" + uuid.uuid4().hex[:10]
    settings = publisher_settings(
        infra.database_url_for("publisher"),
        infra.kafka_bootstrap_servers,
        isolation,
        xero_sandbox,
        "http://127.0.0.1:9",  # no document is fetched: the worker is off
        worker_enabled=False,
    )
    async with running_publisher(settings) as running:
        yield running


async def _stored(publisher: RunningPublisher) -> list[int]:
    async with publisher.runtime.pool.acquire() as conn:
        return [
            await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("xero_connections", "publications", "outbox")
        ]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_a_bad_operator_call_is_refused_naming_field_and_rule_and_stores_nothing(
    publisher: RunningPublisher, case: Bad
) -> None:
    before = await _stored(publisher)

    raw = isinstance(case.body, bytes)
    response = await publisher.http.request(
        case.method,
        f"/v1/organisations/{uuid.uuid4()}{case.path}",
        content=case.body if raw else None,
        json=None if raw else case.body,
        headers={"content-type": "application/json"},
        params=case.params,
    )

    assert response.status_code == case.status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = [{"field": e["field"], "rule": e["rule"]} for e in response.json()["errors"]]
    assert {"field": case.field, "rule": case.rule} in errors, errors
    assert await _stored(publisher) == before
