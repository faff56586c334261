"""Crashes between any two steps, and answers lost after Xero committed, never duplicate a bill,
a history note, an attachment or a payment — also once Xero's idempotency memory has
expired."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from countersign_contracts import APPROVAL_REQUESTS, encode, kafka_headers, new_envelope
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.publisher_samples import (
    authorised_request,
    document_bytes,
    sample_bill,
)
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox
from countersign_platform.outbound import OutboundHttp
from countersign_publisher.app import assemble

pytestmark = pytest.mark.integration

CRASH_POINTS = [
    "contact:stored",
    "create_bill:sent",
    "create_bill:stored",
    "write_history:sent",
    "write_history:stored",
    "attach_original:sent",
    "attach_original:stored",
    "attach_audit_report:sent",
    "attach_audit_report:stored",
    "record_payment:sent",
    "record_payment:stored",
]
XERO_IDEMPOTENCY_MEMORY_S = 360


class InjectedCrash(BaseException):
    """Stands in for the process dying: nothing after it runs, not even error handling."""


async def published_paid_bill(
    infra: Infrastructure,
    isolation: str,
    publisher: RunningPublisher,
    sandbox: XeroSandbox,
    documents: DocumentServer,
    reference: str,
) -> str:
    tenant = sandbox.create_tenant()
    org = uuid.uuid4()
    await publisher.connect(org, sandbox, tenant["tenant_id"])
    bill = sample_bill(reference, paid_from="090")
    documents.add(bill.document.document_id, document_bytes(reference))
    envelope = new_envelope(
        authorised_request(bill),
        producer="approval",
        organisation_id=org,
        correlation_id=uuid.uuid4(),
    )
    headers = [(k, v.encode()) for k, v in kafka_headers(envelope).items()]
    await produce(
        infra.kafka_bootstrap_servers,
        f"{isolation}.{APPROVAL_REQUESTS}",
        [(envelope.subject_id.encode(), encode(envelope), headers)],
    )
    await eventually(
        lambda: publisher.runtime.pool.fetchval("SELECT count(*) FROM publications"),
        lambda n: n == 1,
    )
    return str(tenant["tenant_id"])


async def crashed_then_resumed(
    publisher: RunningPublisher, sandbox: XeroSandbox, crash_at: str
) -> str:
    """The publisher's worker dies at ``crash_at``; once Xero forgot every Idempotency-Key it
    saw, a successor takes the job on. The publication's state in the end."""

    def crash(point: str) -> None:
        if point == crash_at:
            raise InjectedCrash(point)

    http = OutboundHttp(timeout_s=10)
    try:
        doomed = assemble(publisher.runtime, publisher.parts.settings, http, crash)
        with pytest.raises(InjectedCrash):
            await doomed.worker.run_until_idle()
        sandbox.advance_clock(XERO_IDEMPOTENCY_MEMORY_S + 60)
        successor = assemble(publisher.runtime, publisher.parts.settings, http)

        async def resume() -> str:
            await successor.worker.run_until_idle()  # nothing is due while the lease holds
            return str(await publisher.runtime.pool.fetchval("SELECT state FROM publications"))

        return str(await eventually(resume, lambda state: state == "completed", timeout_s=30))
    finally:
        await http.aclose()


def assert_exactly_once(sandbox: XeroSandbox, tenant_id: str) -> None:
    state = sandbox.state(tenant_id)
    (invoice,) = state["invoices"]
    assert invoice["Status"] == "PAID"
    assert len(invoice["Attachments"]) == 2, invoice["Attachments"]
    assert len(state["payments"]) == 1, state["payments"]
    assert len(state["contacts"]) == 1
    history = state["history"][invoice["InvoiceID"]]
    notes = [r["Details"] for r in history if r["Changes"] == "Note"]
    # The sample's three decisions: review, approval, force approval; each written once.
    assert len(notes) == len(set(notes)) == 3, notes


@pytest.mark.parametrize("crash_at", CRASH_POINTS)
async def test_a_crash_at_any_point_resumes_without_duplicates(
    crash_at: str,
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
) -> None:
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        tenant_id = await published_paid_bill(
            infra, isolation, publisher, xero_sandbox, documents, f"INV-C-{crash_at}"
        )
        final = await crashed_then_resumed(publisher, xero_sandbox, crash_at)
    assert final == "completed"
    assert_exactly_once(xero_sandbox, tenant_id)


async def test_answers_dropped_after_xero_committed_never_duplicate(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
) -> None:
    # Six answers are dropped, each one failed try: room for all of them before parking.
    settings = settings_for(worker_enabled=False, worker_max_attempts=8)
    async with running_publisher(settings) as publisher:
        tenant_id = await published_paid_bill(
            infra, isolation, publisher, xero_sandbox, documents, "INV-DROP"
        )
        for method, path in [
            ("PUT", "^/Contacts$"),
            ("PUT", "^/Invoices$"),
            ("PUT", "/History$"),
            ("PUT", "/Attachments/"),
            ("PUT", "^/Payments$"),
        ]:
            xero_sandbox.fault(
                fault="drop_after_commit",
                method=method,
                path=path,
                tenant_id=tenant_id,
                count=1 if path != "/Attachments/" else 2,
            )
        worker = publisher.parts.worker

        async def resume() -> str:
            await worker.run_until_idle()
            xero_sandbox.advance_clock(XERO_IDEMPOTENCY_MEMORY_S + 60)
            return str(await publisher.runtime.pool.fetchval("SELECT state FROM publications"))

        final = await eventually(resume, lambda state: state == "completed", timeout_s=30)
    assert final == "completed"
    assert xero_sandbox.stats()["faults_injected"] >= 6
    assert_exactly_once(xero_sandbox, tenant_id)
