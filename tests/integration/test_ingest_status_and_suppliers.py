"""Ingest follows each item through approval and publication from the other services' events
(only the latest version's news, never backwards), and serves the supplier directory the
publisher syncs, to the organisation it belongs to only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    LEDGER_PUBLICATIONS,
    LEDGER_SUPPLIERS,
    Actor,
    ActorKind,
    AuditAction,
    AuditEntry,
    Bill,
    BillCreated,
    ContactStatus,
    EventPayload,
    PublicationCompleted,
    PublicationFailed,
    PublicationKind,
    PublicationStep,
    RequestAuthorised,
    RequestOpened,
    RequestRejected,
    StepRef,
    SupplierSynced,
    WorkflowRef,
    XeroInvoiceStatus,
    encode,
    kafka_headers,
    new_envelope,
)
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line

from tests.integration.ingest_harness import RunningIngest, new_secret
from tests.support.kafka import produce
from tests.support.samples import sample_bill
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

WORKFLOW = WorkflowRef(workflow_id=uuid.uuid4(), version=1, name="Bill approval")
APPROVER = Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name="Sam Okafor", role="approver")
NOW = datetime.now(UTC)


async def publish(ingest: RunningIngest, dext: DextClient, topic: str, *events: Any) -> None:
    records = []
    for payload in events:
        envelope = new_envelope(
            payload,
            producer="tests",
            organisation_id=uuid.UUID(dext.organisation_id),
            correlation_id=uuid.uuid4(),
        )
        headers = [(k, v.encode()) for k, v in kafka_headers(envelope).items()]
        records.append((envelope.subject_id.encode(), encode(envelope), headers))
    await produce(
        ingest.runtime.settings.kafka_bootstrap_servers, ingest.topic_prefix + topic, records
    )


async def published_item(dext: DextClient, item: str, quantity: str = "1") -> None:
    meta = cost_item(
        item, "invoice", [line("Paper", quantity, "10.00")], reference=item, due_in_days=7
    )
    response = await dext.publish_cost_item(meta, f"{item}.pdf", pdf(item))
    assert response.status_code in (200, 202), response.text


async def status_of(dext: DextClient, item: str, until: Any) -> dict[str, Any]:
    async def probe() -> dict[str, Any]:
        view: dict[str, Any] = (await dext.item_status(item)).json()
        return view

    return await eventually(probe, until, timeout_s=20)


def opened(item: str, version: int, request_id: uuid.UUID, bill: Bill) -> EventPayload:
    return RequestOpened(
        request_id=request_id,
        dext_item_id=item,
        item_version=version,
        workflow=WORKFLOW,
        bill=bill,
        current_step=StepRef(index=0, name="Manager approval"),
        awaiting=[APPROVER],
        opened_at=NOW,
    )


async def test_an_item_moves_from_approval_to_rejected_with_who_and_why(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await published_item(dext, "inv-1")
    request_id = uuid.uuid4()
    await publish(ingest, dext, APPROVAL_REQUESTS, opened("inv-1", 1, request_id, sample_bill()))
    in_approval = await status_of(dext, "inv-1", lambda v: v["status"] == "in_approval")
    rejected_event = RequestRejected(
        request_id=request_id,
        dext_item_id="inv-1",
        item_version=1,
        workflow=WORKFLOW,
        rejected_by=APPROVER,
        reason="Wrong cost centre",
        step=StepRef(index=0, name="Manager approval"),
        rejected_at=NOW,
    )
    await publish(ingest, dext, APPROVAL_REQUESTS, rejected_event)
    rejected = await status_of(dext, "inv-1", lambda v: v["status"] == "rejected")

    assert in_approval["detail"]["step"] == "Manager approval"
    assert in_approval["detail"]["awaiting"] == ["Sam Okafor"]
    assert rejected["detail"]["rejected_by"] == "Sam Okafor"
    assert rejected["detail"]["reason"] == "Wrong cost centre"


async def test_publication_news_shows_the_xero_bill_and_failures_show_xeros_messages(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await published_item(dext, "inv-2")
    request_id, publication_id, invoice_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    common = {
        "publication_id": publication_id,
        "kind": PublicationKind.BILL,
        "request_id": request_id,
        "dext_item_id": "inv-2",
        "item_version": 1,
    }
    authorised = RequestAuthorised(
        request_id=request_id,
        dext_item_id="inv-2",
        item_version=1,
        workflow=WORKFLOW,
        bill=sample_bill(),
        audit_trail=[AuditEntry(at=NOW, actor=APPROVER, action=AuditAction.APPROVED)],
        auto_approved=False,
        authorised_at=NOW,
    )
    await publish(ingest, dext, APPROVAL_REQUESTS, authorised)
    await status_of(dext, "inv-2", lambda v: v["status"] == "authorised")
    amended_after_approval = await dext.publish_cost_item(
        cost_item(
            "inv-2", "invoice", [line("Paper", "7", "10.00")], reference="inv-2", due_in_days=7
        ),
        "inv-2.pdf",
        pdf("inv-2"),
    )
    assert amended_after_approval.status_code == 409
    failed = PublicationFailed(
        **common,
        step=PublicationStep.CREATE_BILL,
        messages=["Account code '429' has been archived"],
        retryable=False,
        attempt=1,
        http_status=400,
    )
    await publish(ingest, dext, LEDGER_PUBLICATIONS, failed)
    failure = await status_of(dext, "inv-2", lambda v: v["status"] == "publish_failed")
    created = BillCreated(
        **common,
        xero_invoice_id=invoice_id,
        xero_status=XeroInvoiceStatus.AUTHORISED,
        xero_contact_id=uuid.uuid4(),
        invoice_number="inv-2",
        currency="GBP",
        total=sample_bill().total,
    )
    completed = PublicationCompleted(**common, xero_invoice_id=invoice_id, xero_status="PAID")
    await publish(ingest, dext, LEDGER_PUBLICATIONS, created, completed)
    published = await status_of(dext, "inv-2", lambda v: v["detail"].get("xero_status") == "PAID")
    # A late approval event never moves the item back.
    await publish(ingest, dext, APPROVAL_REQUESTS, opened("inv-2", 1, request_id, sample_bill()))
    await published_item(dext, "inv-3")  # a marker: once visible, the late event was consumed
    await publish(ingest, dext, APPROVAL_REQUESTS, opened("inv-3", 1, uuid.uuid4(), sample_bill()))
    await status_of(dext, "inv-3", lambda v: v["status"] == "in_approval")
    final = (await dext.item_status("inv-2")).json()

    assert failure["detail"]["messages"] == ["Account code '429' has been archived"]
    assert published["status"] == "published"
    assert published["detail"]["xero_invoice_id"] == str(invoice_id)
    assert published["detail"]["messages"] == []
    assert final["status"] == "published"


async def test_news_about_an_earlier_version_is_ignored(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await published_item(dext, "inv-4", quantity="1")
    await published_item(dext, "inv-4", quantity="2")  # version 2
    await publish(ingest, dext, APPROVAL_REQUESTS, opened("inv-4", 1, uuid.uuid4(), sample_bill()))
    await published_item(dext, "inv-5")
    await publish(ingest, dext, APPROVAL_REQUESTS, opened("inv-5", 1, uuid.uuid4(), sample_bill()))
    await status_of(dext, "inv-5", lambda v: v["status"] == "in_approval")

    view = (await dext.item_status("inv-4")).json()
    assert (view["version"], view["status"]) == (2, "received")


def supplier(name: str, updated: datetime, status: ContactStatus = ContactStatus.ACTIVE) -> Any:
    return SupplierSynced(
        xero_contact_id=uuid.uuid5(uuid.NAMESPACE_DNS, name),
        name=name,
        status=status,
        default_currency="GBP",
        xero_updated_at=updated,
    )


async def test_suppliers_are_served_paged_incrementally_and_newest_state_wins(
    ingest: RunningIngest, dext: DextClient
) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    names = [f"Supplier {n:02d}" for n in range(7)]
    await publish(
        ingest,
        dext,
        LEDGER_SUPPLIERS,
        *[supplier(name, start + timedelta(hours=n)) for n, name in enumerate(names)],
        supplier("Supplier 00", start - timedelta(days=1), ContactStatus.ARCHIVED),  # stale
    )
    everyone = await eventually(
        lambda: dext.suppliers(page_size=3), lambda found: len(found) == 7, timeout_s=20
    )
    recent = await dext.suppliers(changed_since=start + timedelta(hours=4))

    assert [s["name"] for s in everyone] == names
    assert everyone[0]["status"] == "ACTIVE"
    assert [s["name"] for s in recent] == names[5:]


async def test_an_organisation_sees_only_its_own_suppliers(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await publish(ingest, dext, LEDGER_SUPPLIERS, supplier("Mine Ltd", NOW))
    await eventually(lambda: dext.suppliers(), lambda found: len(found) == 1, timeout_s=20)
    other, secret = uuid.uuid4(), new_secret()
    await ingest.register_secret(other, secret)
    async with ingest.dext(other, secret) as neighbour:
        assert await neighbour.suppliers() == []
