"""Ingest follows each item through approval and publication from the other services' events
(each version's news to that version, never backwards; the latest version shown unless approval
refused it), shows approval's answers to withdrawals, and serves the supplier directory the
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
    LedgerBound,
    PublicationCompleted,
    PublicationFailed,
    PublicationKind,
    PublicationStep,
    RepublishRefused,
    RequestAuthorised,
    RequestCancelled,
    RequestOpened,
    RequestRejected,
    StepRef,
    SupplierSynced,
    WithdrawalRefused,
    WorkflowRef,
    XeroInvoiceStatus,
    encode,
    kafka_headers,
    new_envelope,
    topic_for,
)
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.ingest import RunningIngest, new_secret
from countersign_harness.kafka import produce
from countersign_harness.samples import sample_bill
from countersign_harness.waiting import eventually

pytestmark = pytest.mark.integration

WORKFLOW = WorkflowRef(workflow_id=uuid.uuid4(), version=1, name="Bill approval")
APPROVER = Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name="Sam Okafor", role="approver")
NOW = datetime.now(UTC)


async def publish(ingest: RunningIngest, dext: DextClient, topic: str, *events: Any) -> None:
    records = []
    for payload in events:
        envelope = new_envelope(
            payload,
            producer=topic_for(payload).producer,
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


async def test_news_about_an_earlier_version_does_not_change_what_is_shown(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await published_item(dext, "inv-4", quantity="1")
    await published_item(dext, "inv-4", quantity="2")  # version 2
    await publish(ingest, dext, APPROVAL_REQUESTS, opened("inv-4", 1, uuid.uuid4(), sample_bill()))
    await published_item(dext, "inv-5")
    await publish(ingest, dext, APPROVAL_REQUESTS, opened("inv-5", 1, uuid.uuid4(), sample_bill()))
    await status_of(dext, "inv-5", lambda v: v["status"] == "in_approval")

    view = (await dext.item_status("inv-4")).json()
    assert (view["version"], view["status_version"], view["status"]) == (2, 2, "received")


def authorised(item: str, request_id: uuid.UUID) -> RequestAuthorised:
    return RequestAuthorised(
        request_id=request_id,
        dext_item_id=item,
        item_version=1,
        workflow=WORKFLOW,
        bill=sample_bill(),
        audit_trail=[AuditEntry(at=NOW, actor=APPROVER, action=AuditAction.APPROVED)],
        auto_approved=False,
        authorised_at=NOW,
    )


async def test_a_republish_approval_refused_shows_the_kept_version_and_why(
    ingest: RunningIngest, dext: DextClient
) -> None:
    """Version 2 was accepted while ingest's copy still said 'received', but approval had
    authorised version 1: the version 1 news that came meanwhile is not lost, the item shows
    version 1's journey to Xero, and says why version 2 was not taken."""
    await published_item(dext, "inv-6", quantity="1")
    request_id, publication_id, invoice_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await publish(ingest, dext, APPROVAL_REQUESTS, opened("inv-6", 1, request_id, sample_bill()))
    await status_of(dext, "inv-6", lambda v: v["status"] == "in_approval")
    await published_item(dext, "inv-6", quantity="2")  # accepted: ingest's copy is behind
    common = {
        "publication_id": publication_id,
        "kind": PublicationKind.BILL,
        "request_id": request_id,
        "dext_item_id": "inv-6",
        "item_version": 1,
    }
    created = BillCreated(
        **common,
        xero_invoice_id=invoice_id,
        xero_status=XeroInvoiceStatus.AUTHORISED,
        xero_contact_id=uuid.uuid4(),
        invoice_number="inv-6",
        currency="GBP",
        total=sample_bill().total,
    )
    await publish(ingest, dext, APPROVAL_REQUESTS, authorised("inv-6", request_id))
    await publish(ingest, dext, LEDGER_PUBLICATIONS, created)
    refused = RepublishRefused(
        request_id=request_id,
        dext_item_id="inv-6",
        item_version=1,
        stage=LedgerBound.AUTHORISED,
        reason="Version 2 was not taken: version 1 is authorised. Amend the bill in Xero.",
        refused_item_version=2,
        refused_at=NOW,
    )
    await publish(ingest, dext, APPROVAL_REQUESTS, refused)
    view = await status_of(dext, "inv-6", lambda v: v["refused_republish"] is not None)
    third = await dext.publish_cost_item(
        cost_item(
            "inv-6", "invoice", [line("Paper", "3", "10.00")], reference="inv-6", due_in_days=7
        ),
        "inv-6.pdf",
        pdf("inv-6"),
    )

    assert (view["version"], view["status_version"]) == (2, 1)
    assert view["status"] == "published"
    assert view["detail"]["xero_invoice_id"] == str(invoice_id)
    assert view["refused_republish"]["version"] == 2
    assert "Amend the bill in Xero" in view["refused_republish"]["reason"]
    assert third.status_code == 409


async def test_a_withdrawal_ends_withdrawn_when_approval_stops_the_request(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await published_item(dext, "inv-7")
    asked = await dext.withdraw("inv-7", "a duplicate")
    cancelled = RequestCancelled(
        request_id=uuid.uuid4(),
        dext_item_id="inv-7",
        item_version=1,
        cancelled_by=Actor(kind=ActorKind.SYSTEM, name="Dext"),
        reason="a duplicate",
        cancelled_at=NOW,
    )
    await publish(ingest, dext, APPROVAL_REQUESTS, cancelled)
    view = await status_of(dext, "inv-7", lambda v: v["status"] != "received")
    again = await dext.withdraw("inv-7")

    assert asked.status_code == 202 and asked.json()["withdrawal"]["state"] == "requested"
    assert view["status"] == "withdrawn" and view["detail"]["reason"] == "a duplicate"
    assert view["withdrawal"]["state"] == "granted"
    assert again.status_code == 200 and again.json()["status"] == "withdrawn"


async def test_a_withdrawal_approval_refused_leaves_the_item_on_its_way_to_xero(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await published_item(dext, "inv-8")
    request_id = uuid.uuid4()
    asked = await dext.withdraw("inv-8")  # ingest's copy says 'received'
    refused = WithdrawalRefused(
        request_id=request_id,
        dext_item_id="inv-8",
        item_version=1,
        stage=LedgerBound.AUTHORISED,
        reason="The withdrawal was refused: version 1 is authorised. Void the bill in Xero.",
        withdrawn_item_version=1,
        refused_at=NOW,
    )
    await publish(ingest, dext, APPROVAL_REQUESTS, authorised("inv-8", request_id), refused)
    view = await status_of(dext, "inv-8", lambda v: v["withdrawal"]["state"] == "refused")
    again = await dext.withdraw("inv-8")
    republished = await dext.publish_cost_item(
        cost_item(
            "inv-8", "invoice", [line("Paper", "4", "10.00")], reference="inv-8", due_in_days=7
        ),
        "inv-8.pdf",
        pdf("inv-8"),
    )

    assert asked.status_code == 202
    assert view["status"] == "authorised"
    assert "Void the bill in Xero" in view["withdrawal"]["refusal"]
    assert again.status_code == 409 and "refused" in again.json()["detail"]
    assert republished.status_code == 409


async def test_an_item_bound_for_xero_is_refused_a_withdrawal_at_once(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await published_item(dext, "inv-9")
    await publish(ingest, dext, APPROVAL_REQUESTS, authorised("inv-9", uuid.uuid4()))
    await status_of(dext, "inv-9", lambda v: v["status"] == "authorised")

    refused = await dext.withdraw("inv-9")

    assert refused.status_code == 409
    assert "void the bill there" in refused.json()["detail"]
    assert (await dext.item_status("inv-9")).json()["withdrawal"] is None


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
