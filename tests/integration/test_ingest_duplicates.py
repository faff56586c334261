"""Likely duplicates at intake, on the real broker and database: the same supplier invoice
published again as another Dext item is marked on its CostItemSubmitted (a warning), or —
when the organisation blocks them — refused with a problem naming the other item, and nothing
is stored or announced. A republish of the item itself, or a rejected item, is no duplicate.
The organisation's other intake setting lives here too (one ingest per module): in the via-Xero
mode a new item is refused, while an item already here may still take a new version."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    COST_ITEMS,
    ORGANISATIONS,
    Actor,
    ActorKind,
    DuplicatePolicy,
    EventPayload,
    LedgerMode,
    OrganisationStatus,
    OrganisationUpdated,
    RequestRejected,
    WorkflowRef,
    encode,
    kafka_headers,
    new_envelope,
    topic_for,
)
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.ingest import RunningIngest
from countersign_harness.kafka import produce, read_until
from countersign_harness.waiting import eventually

pytestmark = pytest.mark.integration

ISSUED = date.today() - timedelta(days=3)


def invoice(item: str, reference: str | None, supplier: str = "Northwind Stationery Ltd") -> Any:
    lines = [line("Paper", "5", "21.10"), line("Toner", "1", "64.99", account_code="463")]
    return cost_item(
        item, "invoice", lines, supplier=supplier, reference=reference, issue=ISSUED, due_in_days=30
    )


async def publish_item(dext: DextClient, meta: dict[str, Any]) -> Any:
    item = meta["dext_item_id"]
    return await dext.publish_cost_item(meta, f"{item}.pdf", pdf(item))


async def announce(
    ingest: RunningIngest, dext: DextClient, topic: str, payload: EventPayload
) -> None:
    envelope = new_envelope(
        payload,
        producer=topic_for(payload).producer,
        organisation_id=uuid.UUID(dext.organisation_id),
        correlation_id=uuid.uuid4(),
    )
    headers = [(k, v.encode()) for k, v in kafka_headers(envelope).items()]
    record = (envelope.subject_id.encode(), encode(envelope), headers)
    await produce(
        ingest.runtime.settings.kafka_bootstrap_servers, ingest.topic_prefix + topic, [record]
    )


async def submitted(ingest: RunningIngest, dext: DextClient, count: int) -> dict[str, Any]:
    """The organisation's CostItemSubmitted payloads by item and version, once ``count``."""

    def mine(records: list[Any]) -> list[dict[str, Any]]:
        events = [json.loads(record.value) for record in records]
        return [e for e in events if e["organisation_id"] == dext.organisation_id]

    records = await read_until(
        ingest.runtime.settings.kafka_bootstrap_servers,
        ingest.topic_prefix + COST_ITEMS,
        lambda found: len(mine(found)) >= count,
        timeout_s=15,
    )
    return {
        f"{e['payload']['dext_item_id']}/v{e['payload']['version']}": e["payload"]
        for e in mine(records)
    }


async def test_the_same_invoice_from_another_item_is_marked_and_a_republish_is_not(
    ingest: RunningIngest, dext: DextClient
) -> None:
    first = await publish_item(dext, invoice("nw-1", "NW-0042"))
    # Typed differently in Dext: case, spaces and punctuation.
    second = await publish_item(dext, invoice("nw-2", "nw 0042", "NORTHWIND stationery ltd."))
    republished = invoice("nw-1", "NW-0042")
    republished["lines"][0]["description"] = "Paper, A4"
    again = await publish_item(dext, republished)

    assert (first.status_code, second.status_code, again.status_code) == (202, 202, 202), first.text
    events = await submitted(ingest, dext, 3)
    assert events["nw-1/v1"]["possible_duplicates"] == []
    assert events["nw-2/v1"]["possible_duplicates"] == [
        {"dext_item_id": "nw-1", "request_id": None, "reason": "same_invoice_number"}
    ]
    # nw-1's own earlier version is no duplicate; nw-2 still is one of nw-1.
    assert events["nw-1/v2"]["possible_duplicates"] == [
        {"dext_item_id": "nw-2", "request_id": None, "reason": "same_invoice_number"}
    ]


async def test_without_a_reference_the_same_supplier_date_total_and_currency_match(
    ingest: RunningIngest, dext: DextClient
) -> None:
    receipt = cost_item("r-1", "receipt", [line("Lunch", "1", "30.00")], issue=ISSUED)
    same = cost_item("r-2", "receipt", [line("Lunch", "1", "30.00")], issue=ISSUED)
    other_day = cost_item("r-3", "receipt", [line("Lunch", "1", "30.00")], issue=date.today())
    for meta in (receipt, same, other_day):
        assert (await publish_item(dext, meta)).status_code == 202

    events = await submitted(ingest, dext, 3)
    assert events["r-2/v1"]["possible_duplicates"] == [
        {"dext_item_id": "r-1", "request_id": None, "reason": "same_date_and_amount"}
    ]
    assert events["r-3/v1"]["possible_duplicates"] == []


async def test_a_rejected_item_is_no_duplicate(ingest: RunningIngest, dext: DextClient) -> None:
    assert (await publish_item(dext, invoice("rj-1", "RJ-1"))).status_code == 202
    await announce(ingest, dext, APPROVAL_REQUESTS, rejection("rj-1"))
    await eventually(
        lambda: dext.item_status("rj-1"),
        lambda r: r.json()["status"] == "rejected",
        timeout_s=20,
    )

    assert (await publish_item(dext, invoice("rj-2", "RJ-1"))).status_code == 202
    events = await submitted(ingest, dext, 2)
    assert events["rj-2/v1"]["possible_duplicates"] == []


async def test_when_the_organisation_blocks_them_a_duplicate_is_refused_and_nothing_kept(
    ingest: RunningIngest, dext: DextClient
) -> None:
    org = uuid.UUID(dext.organisation_id)
    await announce(ingest, dext, ORGANISATIONS, policy(org, DuplicatePolicy.BLOCK))
    await eventually(
        lambda: ingest.fetch(
            "SELECT policy FROM duplicate_policies WHERE organisation_id = $1", org
        ),
        lambda rows: [r["policy"] for r in rows] == ["block"],
        timeout_s=20,
    )
    assert (await publish_item(dext, invoice("b-1", "B-7"))).status_code == 202

    refused = await publish_item(dext, invoice("b-2", "B-7"))

    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "urn:countersign:problem:likely-duplicate"
    assert "item b-2 looks like item b-1" in problem["detail"]
    assert problem["duplicates"] == [{"dext_item_id": "b-1", "reason": "same_invoice_number"}]
    assert problem["errors"][0]["field"] == "document_reference"
    assert (
        await ingest.fetch(
            "SELECT 1 FROM items WHERE organisation_id = $1 AND dext_item_id = 'b-2'", org
        )
        == []
    )
    assert (
        await ingest.fetch(
            "SELECT 1 FROM outbox WHERE key = 'b-2' AND payload->>'organisation_id' = $1",
            str(org),
        )
        == []
    )
    # The refusal is no item of its own: the same call may be made again once allowed.
    assert (await dext.item_status("b-2")).status_code == 404


def rejection(item: str) -> RequestRejected:
    approver = Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name="Sam Okafor", role="approver")
    return RequestRejected(
        request_id=uuid.uuid4(),
        dext_item_id=item,
        item_version=1,
        workflow=WorkflowRef(workflow_id=uuid.uuid4(), version=1, name="Bills"),
        rejected_by=approver,
        reason="Not ours",
        rejected_at=datetime.now(UTC),
    )


def policy(org: uuid.UUID, duplicate_policy: DuplicatePolicy) -> OrganisationUpdated:
    return OrganisationUpdated(
        organisation_id=org,
        name="Northwind",
        base_currency="GBP",
        timezone="Europe/London",
        status=OrganisationStatus.ACTIVE,
        duplicate_policy=duplicate_policy,
    )


async def test_in_the_via_xero_mode_a_new_item_is_refused_and_one_already_here_carries_on(
    ingest: RunningIngest, dext: DextClient
) -> None:
    org = uuid.UUID(dext.organisation_id)
    assert (await publish_item(dext, invoice("x-1", "X-1"))).status_code == 202
    mode = policy(org, DuplicatePolicy.WARN).model_copy(
        update={"ledger_mode": LedgerMode.VIA_XERO, "via_xero_requester": uuid.uuid4()}
    )
    await announce(ingest, dext, ORGANISATIONS, mode)
    await eventually(
        lambda: ingest.fetch(
            "SELECT ledger_mode FROM ledger_modes WHERE organisation_id = $1", org
        ),
        lambda rows: [r["ledger_mode"] for r in rows] == ["via_xero"],
        timeout_s=20,
    )

    refused = await publish_item(dext, invoice("x-2", "X-2"))
    republished = await publish_item(dext, invoice("x-1", "X-1b"))

    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:countersign:problem:organisation-via-xero"
    assert refused.json()["errors"][0]["rule"] == "organisation_via_xero"
    assert (await dext.item_status("x-2")).status_code == 404
    assert republished.status_code == 202, republished.text
    assert set(await submitted(ingest, dext, 2)) == {"x-1/v1", "x-1/v2"}
