"""One item's journey through the three services running as separate processes:
ingest's HTTP API → Postgres → Kafka → approval → Kafka → publisher's record, over HTTP."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.infra import Infrastructure
from countersign_harness.processes import ServiceProcess
from countersign_harness.waiting import eventually

pytestmark = pytest.mark.e2e

SERVICES = ("ingest", "approval", "publisher")
ADMIN_TOKEN = "e2e-operator-token"
# Approval is the organisation's system of record; this organisation authorises every bill
# without people, so the journey needs no approver.
AUTHORISE_EVERYTHING = {
    "name": "Authorise everything",
    "auto_approval": [{"conditions": [{"field": "total", "operator": ">=", "amount": "0"}]}],
    "steps": [{"name": "Unused", "approvers": [{"approver": "ops@example.com"}]}],
    "default_approver": "ops@example.com",
}


@pytest.fixture
def stack(
    infra: Infrastructure, isolation: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, ServiceProcess]]:
    monkeypatch.setenv("COUNTERSIGN_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("ENCRYPTION_KEYS", "e2e:" + base64.b64encode(os.urandom(32)).decode())
    monkeypatch.setenv("DOCUMENT_LINK_SECRET", "e2e-document-links")
    processes = {name: ServiceProcess(name, infra, isolation, tmp_path) for name in SERVICES}
    try:
        for process in processes.values():
            process.start()
        for process in processes.values():
            process.wait_ready()
        yield processes
    finally:
        exit_codes = {name: process.stop() for name, process in processes.items()}
        # uvicorn re-raises SIGTERM after a graceful shutdown, so -15 is a clean exit too.
        assert all(code in (0, -15) for code in exit_codes.values()), f"exits: {exit_codes}"


async def test_a_published_item_becomes_an_authorised_request_and_a_recorded_publication(
    stack: dict[str, ServiceProcess],
) -> None:
    org, secret = uuid.uuid4(), base64.urlsafe_b64encode(os.urandom(32)).decode()
    item = cost_item(
        "dext-e2e-1",
        "invoice",
        [line("Printer paper", "5", "21.10")],
        reference="INV-E2E-1",
        due_in_days=30,
    )
    original = pdf("Northwind Stationery Ltd", "Invoice INV-E2E-1")
    async with (
        httpx.AsyncClient(timeout=10) as http,
        DextClient(stack["ingest"].url, org, secret) as dext,
    ):
        operator = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        registered = await http.post(
            f"{stack['approval'].url}/v1/organisations",
            headers=operator,
            json={
                "organisation_id": str(org),
                "name": "E2E Ltd",
                "base_currency": "GBP",
                "timezone": "Europe/London",
                "admin": {"email": "ops@example.com", "name": "Ops"},
            },
        )
        assert registered.status_code == 201, registered.text
        approval_auth = {"Authorization": f"Bearer {registered.json()['admin']['token']}"}
        workflow = await http.put(
            f"{stack['approval'].url}/v1/organisations/{org}/workflow",
            headers=approval_auth,
            json=AUTHORISE_EVERYTHING,
        )
        assert workflow.status_code == 201, workflow.text
        dext_secret = await http.put(
            f"{stack['ingest'].url}/v1/operator/organisations/{org}/dext-secret",
            json={"secret": secret},
            headers=operator,
        )
        assert dext_secret.status_code == 201, dext_secret.text
        accepted = await dext.publish_cost_item(item, "INV-E2E-1.pdf", original)
        assert accepted.status_code == 202, accepted.text

        async def publications() -> list[dict[str, object]]:
            response = await http.get(
                f"{stack['publisher'].url}/v1/organisations/{org}/publications",
                params={"dext_item_id": "dext-e2e-1"},
                headers=operator,
            )
            body: list[dict[str, object]] = response.json()
            return body

        recorded = await eventually(publications, lambda found: len(found) == 1, timeout_s=60)
        requests = (
            await http.get(
                f"{stack['approval'].url}/v1/organisations/{org}/requests",
                params={"dext_item_id": "dext-e2e-1"},
                headers=approval_auth,
            )
        ).json()

        async def item_status() -> str:
            status: str = (await dext.item_status("dext-e2e-1")).json()["status"]
            return status

        status = await eventually(item_status, lambda s: s == "authorised", timeout_s=30)
        replay = await dext.publish_cost_item(item, "INV-E2E-1.pdf", original)

    assert len(recorded) == 1, "\n".join(p.tail() for p in stack.values())
    assert recorded[0]["state"] == "recorded"
    assert len(requests) == 1 and requests[0]["state"] == "authorised"
    assert recorded[0]["request_id"] == requests[0]["request_id"]
    assert status == "authorised"
    assert replay.status_code == 200 and replay.json()["version"] == 1
