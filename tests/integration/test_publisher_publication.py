"""The publisher on the real broker and database, publishing to the Xero sandbox over HTTP."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

import httpx
import pypdf
import pytest
from aiokafka import ConsumerRecord
from countersign_contracts import (
    APPROVAL_REQUESTS,
    BANK_TRANSACTIONS,
    LEDGER_ID_FIELDS,
    LEDGER_PUBLICATIONS,
    LEDGER_SUPPLIERS,
    Actor,
    ActorKind,
    EventPayload,
    PublicationRetryRequested,
)
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce_event, read_until
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.publisher_samples import (
    authorised_request,
    bank_item,
    document_bytes,
    sample_bill,
)
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox

pytestmark = pytest.mark.integration


async def send(
    infra: Infrastructure, isolation: str, topic: str, org: UUID, payload: EventPayload
) -> None:
    await produce_event(infra.kafka_bootstrap_servers, isolation, topic, org, payload)


async def events(
    infra: Infrastructure, isolation: str, topic: str, done: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    def decoded(records: list[ConsumerRecord[bytes, bytes]]) -> list[dict[str, Any]]:
        return [json.loads(r.value) for r in records]

    records = await read_until(
        infra.kafka_bootstrap_servers, f"{isolation}.{topic}", lambda r: done(decoded(r)), 60
    )
    return decoded(records)


def types(found: list[dict[str, Any]]) -> list[str]:
    return [e["event_type"] for e in found]


async def settled(
    publisher: RunningPublisher, org: UUID, item: str, count: int = 1
) -> list[dict[str, Any]]:
    return await eventually(
        lambda: publisher.publications(org, item),
        lambda found: (
            len(found) == count
            and all(p["state"] in ("completed", "failed", "parked") for p in found)
        ),
        timeout_s=60,
    )


@pytest.fixture
async def tenant(xero_sandbox: XeroSandbox) -> dict[str, Any]:
    return xero_sandbox.create_tenant(name="Acme Trading Ltd")


async def connected(
    publisher: RunningPublisher, sandbox: XeroSandbox, tenant: dict[str, Any]
) -> UUID:
    org = uuid.uuid4()
    await publisher.connect(org, sandbox, tenant["tenant_id"])
    return org


def download(sandbox: XeroSandbox, tenant_id: str, invoice_id: str, file_name: str) -> bytes:
    token = sandbox.mint_tokens(tenant_id)["access_token"]
    response = httpx.get(
        f"{sandbox.api_url}/Invoices/{invoice_id}/Attachments/{file_name}",
        headers={"Authorization": f"Bearer {token}", "xero-tenant-id": tenant_id},
    )
    response.raise_for_status()
    return response.content


async def test_an_authorised_request_becomes_one_authorised_bill_with_its_original_and_audit_report(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
    tenant: dict[str, Any],
) -> None:
    bill = sample_bill("INV-A1")
    documents.add(bill.document.document_id, document_bytes("INV-A1"))
    request = authorised_request(bill)
    async with running_publisher(settings_for()) as publisher:
        org = await connected(publisher, xero_sandbox, tenant)
        await send(infra, isolation, APPROVAL_REQUESTS, org, request)
        await send(infra, isolation, APPROVAL_REQUESTS, org, request)  # redelivered as new event
        (publication,) = await settled(publisher, org, request.dext_item_id)
        published = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: "PublicationCompleted" in types(e)
        )
        suppliers = await events(infra, isolation, LEDGER_SUPPLIERS, lambda e: len(e) >= 1)
    state = xero_sandbox.state(tenant["tenant_id"])
    assert publication["state"] == "completed", publication
    (invoice,) = state["invoices"]
    assert invoice["Status"] == "AUTHORISED" and invoice["Type"] == "ACCPAY"
    assert invoice["InvoiceNumber"] == "INV-A1"
    assert invoice["Url"].startswith(bill.source_url)
    assert invoice["InvoiceID"] == publication["xero_invoice_id"]
    names = sorted(a["FileName"] for a in invoice["Attachments"])
    assert names == sorted(["INV-A1.pdf", "approval-audit-dext-INV-A1-v1.pdf"])
    original = next(a for a in invoice["Attachments"] if a["FileName"] == "INV-A1.pdf")
    assert original["Sha256"] == bill.document.sha256
    report = download(
        xero_sandbox, tenant["tenant_id"], invoice["InvoiceID"], "approval-audit-dext-INV-A1-v1.pdf"
    )
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report)).pages)
    assert "Priya Natarajan (approver): approved" in text
    assert "Olu Adebayo (administrator): force_approved" in text
    assert types(published) == [
        "BillCreated",
        "HistoryNotesAdded",
        "AttachmentAdded",
        "AttachmentAdded",
        "PublicationCompleted",
    ]
    assert [s["payload"]["name"] for s in suppliers] == ["Acme Office Supplies Ltd"]
    # Each names the ledger and, beside each Xero id, the same id as the ledger's (ADR 0065).
    for event in [*published, *suppliers]:
        named = event["payload"]
        assert named["ledger"] == "xero"
        for xero_id, ledger_id in LEDGER_ID_FIELDS.items():
            assert named.get(ledger_id) == named.get(xero_id), (event["event_type"], ledger_id)
    assert {e["payload"]["ledger_bill_id"] for e in published} == {invoice["InvoiceID"]}


async def test_a_paid_bill_ends_paid_with_one_payment_from_the_chosen_account(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
    tenant: dict[str, Any],
) -> None:
    bill = sample_bill("INV-P1", paid_from="091")
    documents.add(bill.document.document_id, document_bytes("INV-P1"))
    request = authorised_request(bill)
    async with running_publisher(settings_for()) as publisher:
        org = await connected(publisher, xero_sandbox, tenant)
        await send(infra, isolation, APPROVAL_REQUESTS, org, request)
        (publication,) = await settled(publisher, org, request.dext_item_id)
        published = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: "PublicationCompleted" in types(e)
        )
    state = xero_sandbox.state(tenant["tenant_id"])
    (invoice,) = state["invoices"]
    assert publication["state"] == "completed" and publication["xero_status"] == "PAID"
    assert invoice["Status"] == "PAID"
    (payment,) = state["payments"]
    assert payment["Account"]["Code"] == "091"
    assert payment["Amount"] == 126.6
    assert "PaymentRecorded" in types(published)


async def test_a_bank_transaction_becomes_one_spend_with_its_file(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
    tenant: dict[str, Any],
) -> None:
    item = bank_item("RCPT-1")
    documents.add(item.document.document_id, document_bytes("RCPT-1"))
    async with running_publisher(settings_for()) as publisher:
        org = await connected(publisher, xero_sandbox, tenant)
        await send(infra, isolation, BANK_TRANSACTIONS, org, item)
        (publication,) = await settled(publisher, org, item.dext_item_id)
    state = xero_sandbox.state(tenant["tenant_id"])
    assert publication["state"] == "completed", publication
    (spend,) = state["bank_transactions"]
    assert spend["Type"] == "SPEND" and spend["BankAccount"]["Code"] == "090"
    (attachment,) = spend["Attachments"]
    assert attachment["Sha256"] == item.document.sha256
    assert state["invoices"] == []


async def test_a_validation_failure_surfaces_xeros_message_and_an_admin_retry_publishes_it(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
    tenant: dict[str, Any],
) -> None:
    bill = sample_bill("INV-L1")
    documents.add(bill.document.document_id, document_bytes("INV-L1"))
    request = authorised_request(bill)
    xero_sandbox.http.patch(
        f"/_sandbox/tenants/{tenant['tenant_id']}", json={"lock_date": "2026-11-30"}
    ).raise_for_status()
    async with running_publisher(settings_for()) as publisher:
        org = await connected(publisher, xero_sandbox, tenant)
        await send(infra, isolation, APPROVAL_REQUESTS, org, request)
        (failed,) = await settled(publisher, org, request.dext_item_id)
        failures = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: "PublicationFailed" in types(e)
        )
        xero_sandbox.http.patch(
            f"/_sandbox/tenants/{tenant['tenant_id']}", json={"lock_date": None}
        ).raise_for_status()
        retried = await publisher.http.post(
            f"/v1/organisations/{org}/publications/{failed['publication_id']}/retry"
        )
        (done,) = await eventually(
            lambda: publisher.publications(org, request.dext_item_id),
            lambda found: found[0]["state"] == "completed",
            timeout_s=60,
        )
    assert failed["state"] == "failed"
    (failure,) = [e["payload"] for e in failures if e["event_type"] == "PublicationFailed"]
    assert failure["retryable"] is False and failure["step"] == "create_bill"
    assert any("lock date" in message for message in failure["messages"]), failure
    assert retried.status_code == 202
    assert done["generation"] == 2
    assert len(xero_sandbox.state(tenant["tenant_id"])["invoices"]) == 1


async def test_an_archived_account_fails_without_retry_and_other_bills_of_the_batch_publish(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
    tenant: dict[str, Any],
) -> None:
    good, bad = sample_bill("INV-G1"), sample_bill("INV-B1", account_code="999")
    for b in (good, bad):
        documents.add(b.document.document_id, document_bytes(b.document_reference))
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        org = await connected(publisher, xero_sandbox, tenant)
        for b in (good, bad):
            await send(infra, isolation, APPROVAL_REQUESTS, org, authorised_request(b))
        await eventually(
            lambda: publisher.runtime.pool.fetchval("SELECT count(*) FROM publications"),
            lambda n: n == 2,
        )
        await publisher.parts.worker.run_until_idle()
        good_row = (await publisher.publications(org, "dext-INV-G1"))[0]
        bad_row = (await publisher.publications(org, "dext-INV-B1"))[0]
    assert good_row["state"] == "completed"
    assert bad_row["state"] == "failed"
    assert bad_row["last_error"]["messages"], bad_row
    state = xero_sandbox.state(tenant["tenant_id"])
    assert [i["InvoiceNumber"] for i in state["invoices"]] == ["INV-G1"]
    assert state["calls"]["by_endpoint"].get("PUT /Invoices") == 1  # one batch for both


async def test_transient_failures_retry_with_backoff_then_park_as_retryable(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
    tenant: dict[str, Any],
) -> None:
    bill = sample_bill("INV-T1")
    documents.add(bill.document.document_id, document_bytes("INV-T1"))
    request = authorised_request(bill)
    xero_sandbox.fault(
        fault="error",
        method="PUT",
        path="^/Invoices$",
        tenant_id=tenant["tenant_id"],
        status=503,
        count=3,
    )
    async with running_publisher(settings_for(worker_max_attempts=3)) as publisher:
        org = await connected(publisher, xero_sandbox, tenant)
        await send(infra, isolation, APPROVAL_REQUESTS, org, request)
        (parked,) = await settled(publisher, org, request.dext_item_id)
        failures = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: "PublicationFailed" in types(e)
        )
        retry = PublicationRetryRequested(
            request_id=request.request_id,
            dext_item_id=request.dext_item_id,
            item_version=1,
            publication_id=UUID(parked["publication_id"]),
            requested_by=Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name="Olu Adebayo"),
            requested_at=request.authorised_at,
        )
        await send(infra, isolation, APPROVAL_REQUESTS, org, retry)
        (done,) = await eventually(
            lambda: publisher.publications(org, request.dext_item_id),
            lambda found: found[0]["state"] == "completed",
            timeout_s=60,
        )
    assert parked["state"] == "parked" and parked["attempt"] == 2
    (failure,) = [e["payload"] for e in failures if e["event_type"] == "PublicationFailed"]
    assert failure["retryable"] is True and failure["attempt"] == 3
    assert done["xero_invoice_id"] is not None
    assert len(xero_sandbox.state(tenant["tenant_id"])["invoices"]) == 1
