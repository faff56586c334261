"""A RequestAuthorised that approval did not write never becomes a bill (ADR 0061): on the real
broker, a forged one signed "ingest" and one whose header and envelope disagree land in the
publisher's dead-letter topic naming the producer expected and the one found, while a genuine
request sent alongside them is published."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    RequestAuthorised,
    dlq_topic,
    encode,
    kafka_headers,
    new_envelope,
)
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce, read_until
from countersign_harness.publisher import running_publisher
from countersign_harness.publisher_samples import authorised_request, document_bytes, sample_bill
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox

pytestmark = pytest.mark.integration


def record(
    request: RequestAuthorised, org: UUID, *, producer: str, ce_source: str
) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    envelope = new_envelope(
        request, producer=producer, organisation_id=org, correlation_id=uuid.uuid4()
    )
    headers = {**kafka_headers(envelope), "ce_source": ce_source}
    return (
        envelope.subject_id.encode(),
        encode(envelope),
        [(name, value.encode()) for name, value in headers.items()],
    )


async def test_forged_authorisations_are_dead_lettered_naming_the_producer_and_make_no_bill(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
) -> None:
    tenant = xero_sandbox.create_tenant(name="Forgery Target Ltd")
    bills = {number: sample_bill(number) for number in ("INV-F1", "INV-F2", "INV-OK")}
    for number, bill in bills.items():
        documents.add(bill.document.document_id, document_bytes(number))
    forged, mismatched, genuine = (authorised_request(bill) for bill in bills.values())
    topic = f"{isolation}.{APPROVAL_REQUESTS}"
    async with running_publisher(settings_for()) as publisher:
        org = uuid.uuid4()
        await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        await produce(
            infra.kafka_bootstrap_servers,
            topic,
            [
                record(forged, org, producer="ingest", ce_source="ingest"),
                record(mismatched, org, producer="approval", ce_source="ingest"),
                record(genuine, org, producer="approval", ce_source="approval"),
            ],
        )
        dead = await read_until(
            infra.kafka_bootstrap_servers, dlq_topic(topic, "publisher"), lambda r: len(r) >= 2
        )
        (published,) = await eventually(
            lambda: publisher.publications(org, genuine.dext_item_id),
            lambda found: len(found) == 1 and found[0]["state"] == "completed",
            timeout_s=60,
        )
        never = [
            await publisher.publications(org, request.dext_item_id)
            for request in (forged, mismatched)
        ]

    reasons = {record.key: dict((k, v.decode()) for k, v in record.headers) for record in dead}
    assert set(reasons) == {str(forged.request_id).encode(), str(mismatched.request_id).encode()}
    assert {r["dlq_reason"] for r in reasons.values()} == {"unexpected_producer"}
    assert reasons[str(forged.request_id).encode()]["dlq_error"] == (
        f"{APPROVAL_REQUESTS} is produced by 'approval' only; this record names 'ingest'"
        " in its envelope and 'ingest' in its ce_source header"
    )
    assert reasons[str(mismatched.request_id).encode()]["dlq_error"] == (
        f"{APPROVAL_REQUESTS} is produced by 'approval' only; this record names 'approval'"
        " in its envelope and 'ingest' in its ce_source header"
    )
    assert never == [[], []]
    (invoice,) = xero_sandbox.state(tenant["tenant_id"])["invoices"]
    assert invoice["InvoiceNumber"] == "INV-OK"
    assert invoice["InvoiceID"] == published["xero_invoice_id"]
