"""The Dext sandbox publishes its whole sample set into ingest running as a real process, both
through its Python client and through its own HTTP service, with no error; what ingest hands on
arrives on the topics."""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from countersign_contracts import BANK_TRANSACTIONS, COST_ITEMS
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.samples import publish_samples
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import read_until
from countersign_harness.processes import ServiceProcess

pytestmark = pytest.mark.e2e

ADMIN_TOKEN = "e2e-operator-token"


@dataclass
class SandboxProcess(ServiceProcess):
    ingest_url: str = ""

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DEXT_SANDBOX_HTTP_HOST": "127.0.0.1",
            "DEXT_SANDBOX_HTTP_PORT": str(self.port),
            "DEXT_SANDBOX_INGEST_URL": self.ingest_url,
        }


@dataclass
class Stack:
    ingest: ServiceProcess
    sandbox: SandboxProcess
    infra: Infrastructure
    isolation: str


@pytest.fixture(scope="module")
def stack(infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    isolation = "t" + uuid.uuid4().hex[:10]
    logs = tmp_path_factory.mktemp("logs")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("COUNTERSIGN_ADMIN_TOKEN", ADMIN_TOKEN)
        env.setenv("ENCRYPTION_KEYS", "e2e:" + base64.b64encode(os.urandom(32)).decode())
        env.setenv("DOCUMENT_LINK_SECRET", "e2e-document-links")
        ingest = ServiceProcess("ingest", infra, isolation, logs)
        ingest.start()
    sandbox = SandboxProcess("dext-sandbox", infra, isolation, Path(logs), ingest_url=ingest.url)
    sandbox.start()
    try:
        ingest.wait_ready()
        sandbox.wait_ready()
        yield Stack(ingest, sandbox, infra, isolation)
    finally:
        codes = {"ingest": ingest.stop(), "sandbox": sandbox.stop()}
        # uvicorn re-raises SIGTERM after a graceful shutdown, so -15 is a clean exit too.
        assert all(code in (0, -15) for code in codes.values()), codes


def register(stack: Stack) -> tuple[uuid.UUID, str]:
    org, secret = uuid.uuid4(), base64.urlsafe_b64encode(os.urandom(32)).decode()
    response = httpx.put(
        f"{stack.ingest.url}/v1/operator/organisations/{org}/dext-secret",
        json={"secret": secret},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code == 201, response.text
    return org, secret


async def events_of(stack: Stack, topic: str, org: uuid.UUID, count: int) -> list[str]:
    def mine(records: list[object]) -> list[str]:
        events = [json.loads(r.value) for r in records]  # type: ignore[attr-defined]
        return [e["event_type"] for e in events if e["organisation_id"] == str(org)]

    records = await read_until(
        stack.infra.kafka_bootstrap_servers,
        f"{stack.isolation}.{topic}",
        lambda found: len(mine(found)) >= count,
    )
    return mine(records)


async def test_the_sandbox_client_publishes_every_sample_without_an_error(stack: Stack) -> None:
    org, secret = register(stack)
    async with DextClient(stack.ingest.url, org, secret) as dext:
        report = await publish_samples(dext)

    failures = [o for o in report.outcomes if not o.ok]
    assert failures == [], stack.ingest.tail()
    assert len(report.outcomes) == 14
    cost_items = await events_of(stack, COST_ITEMS, org, 11)
    assert cost_items.count("CostItemSubmitted") == 10  # 9 items, one of them twice
    assert cost_items.count("CostItemWithdrawn") == 1
    assert await events_of(stack, BANK_TRANSACTIONS, org, 1) == ["BankTransactionSubmitted"]


async def test_the_sandbox_service_publishes_its_samples_when_asked(stack: Stack) -> None:
    org, secret = register(stack)
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.post(
            f"{stack.sandbox.url}/samples", json={"organisation_id": str(org), "secret": secret}
        )

    assert response.status_code == 200, stack.sandbox.tail()
    report = response.json()
    assert report["ok"], report
    assert len(report["outcomes"]) == 14
