"""The publisher as a real process, killed with SIGKILL in the middle of publishing a batch and
started again: every bill exists once, with exactly its two attachments."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from countersign_contracts import APPROVAL_REQUESTS, encode, kafka_headers, new_envelope
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce
from countersign_harness.processes import ServiceProcess
from countersign_harness.publisher import (
    ADMIN_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    DOCUMENT_SECRET,
    ENCRYPTION_KEYS,
)
from countersign_harness.publisher_samples import (
    authorised_request,
    document_bytes,
    sample_bill,
)
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox

pytestmark = pytest.mark.e2e

BILLS = 12


class PublisherProcess(ServiceProcess):
    sandbox: XeroSandbox
    documents_url: str

    def environment(self) -> dict[str, str]:
        return {
            **super().environment(),
            "COUNTERSIGN_ADMIN_TOKEN": ADMIN_TOKEN,
            "ENCRYPTION_KEYS": ENCRYPTION_KEYS,
            "DOCUMENT_LINK_SECRET": DOCUMENT_SECRET,
            "PUBLISHER_XERO_API_URL": self.sandbox.api_url,
            "PUBLISHER_XERO_IDENTITY_URL": self.sandbox.root,
            "PUBLISHER_XERO_CLIENT_ID": CLIENT_ID,
            "PUBLISHER_XERO_CLIENT_SECRET": CLIENT_SECRET,
            "PUBLISHER_INGEST_URL": self.documents_url,
            "PUBLISHER_WORKER_POLL_INTERVAL_S": "0.2",
            "PUBLISHER_WORKER_LEASE_S": "2",
            "PUBLISHER_WORKER_BACKOFF_S": "0.1",
        }


def publisher_process(
    infra: Infrastructure, isolation: str, log_dir: Path, sandbox: XeroSandbox, docs_url: str
) -> PublisherProcess:
    process = PublisherProcess("publisher", infra, isolation, log_dir)
    process.sandbox = sandbox
    process.documents_url = docs_url
    return process


async def test_a_killed_publisher_resumes_without_duplicating_bills_or_attachments(
    infra: Infrastructure,
    isolation: str,
    tmp_path: Path,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
) -> None:
    tenant = xero_sandbox.create_tenant()
    tenant_id = tenant["tenant_id"]
    org = uuid.uuid4()
    # Slow attachments down so the kill lands with work in flight.
    xero_sandbox.fault(fault="latency", path="/Attachments/", tenant_id=tenant_id, latency_ms=150)
    first = publisher_process(infra, isolation, tmp_path, xero_sandbox, documents.url)
    first.start()
    try:
        await publish_and_kill(infra, isolation, first, xero_sandbox, documents, org, tenant_id)
    finally:
        first.stop()
    second = publisher_process(infra, isolation, tmp_path, xero_sandbox, documents.url)
    second.start()
    try:
        second.wait_ready()
        final = await eventually(
            lambda: states(second, org),
            lambda s: s == ["completed"] * BILLS,
            timeout_s=90,
            interval_s=0.5,
        )
    finally:
        second.stop()
    assert final == ["completed"] * BILLS, second.tail()
    invoices = xero_sandbox.state(tenant_id)["invoices"]
    assert sorted(i["InvoiceNumber"] for i in invoices) == sorted(f"INV-K{n}" for n in range(BILLS))
    assert all(len(i["Attachments"]) == 2 for i in invoices)


async def states(process: PublisherProcess, org: uuid.UUID) -> list[Any]:
    found = []
    async with httpx.AsyncClient() as http:
        for n in range(BILLS):
            response = await http.get(
                f"{process.url}/v1/organisations/{org}/publications",
                params={"dext_item_id": f"dext-INV-K{n}"},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )
            found.extend(p["state"] for p in response.json())
    return found


async def publish_and_kill(
    infra: Infrastructure,
    isolation: str,
    first: PublisherProcess,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
    org: uuid.UUID,
    tenant_id: str,
) -> None:
    first.wait_ready()
    tokens = xero_sandbox.mint_tokens(tenant_id)
    async with httpx.AsyncClient() as http:
        connected = await http.put(
            f"{first.url}/v1/organisations/{org}/xero-connection",
            json={
                **{k: tokens[k] for k in ("access_token", "refresh_token", "expires_in")},
                "tenant_id": tenant_id,
            },
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
    assert connected.status_code == 200, connected.text
    records = []
    for n in range(BILLS):
        bill = sample_bill(f"INV-K{n}")
        documents.add(bill.document.document_id, document_bytes(bill.document_reference))
        envelope = new_envelope(
            authorised_request(bill),
            producer="approval",
            organisation_id=org,
            correlation_id=uuid.uuid4(),
        )
        headers = [(k, v.encode()) for k, v in kafka_headers(envelope).items()]
        records.append((envelope.subject_id.encode(), encode(envelope), headers))
    await produce(infra.kafka_bootstrap_servers, f"{isolation}.{APPROVAL_REQUESTS}", records)

    def attachments() -> int:
        return sum(len(i["Attachments"]) for i in xero_sandbox.state(tenant_id)["invoices"])

    async def attached() -> int:
        return attachments()

    await eventually(attached, lambda n: n >= 3, timeout_s=60)
    assert first.process is not None
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()
    assert attachments() < 2 * BILLS, "the kill came too late to interrupt anything"
