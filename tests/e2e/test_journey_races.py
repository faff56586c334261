"""Dext acting while approval decides: a withdrawal or a new version that races the last
approval, or arrives while the bill is being created. Ingest's copy of the status is a moment
behind approval's, so it may accept what approval must then refuse; whatever the order, every
service ends in agreement with Xero, and Dext is told what happened (ADR 0024).

Everything runs as separate processes on the real Kafka and Postgres; a latency fault on the
Xero sandbox's bill creation holds the bill "being created" for as long as a test needs."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import httpx
import pytest
from countersign_dext_sandbox.samples import line
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.waiting import eventually

from tests.e2e.journeys import (
    ANN,
    invoice,
    original,
)

pytestmark = pytest.mark.e2e

RACES = 4  # races per test: each may go either way; at least one must reach the refusal


async def publish(org: Organisation, metadata: dict[str, Any]) -> httpx.Response:
    item = str(metadata["dext_item_id"])
    async with org.dext() as dext:
        return await dext.publish_cost_item(metadata, f"INV-{item}.pdf", original(item))


async def in_approval(org: Organisation, item: str) -> str:
    assert (await publish(org, invoice(item))).status_code == 202
    request = await org.request_of(item, states=("in_approval",))
    return str(request["request_id"])


async def withdraw(org: Organisation, item: str) -> httpx.Response:
    async with org.dext() as dext:
        return await dext.withdraw(item, "Deleted in Dext")


def amended(item: str) -> dict[str, Any]:
    return invoice(item, line("Printer paper, A4, 6 boxes", "6", "21.10", account_code="461"))


async def in_xero_once(org: Organisation, item: str) -> dict[str, Any]:
    publication = await org.wait_publication(item)
    assert publication["state"] == "completed", publication.get("last_error")
    [bill] = org.xero_invoices(lambda i: i["InvoiceNumber"] == f"INV-{item}")
    return dict(bill)


def hold_bill_creation(pipeline: Pipeline, org: Organisation, ms: int = 1500) -> None:
    pipeline.xero_fault(
        {
            "fault": "latency",
            "method": "PUT",
            "path": "^/Invoices$",
            "tenant_id": org.tenant_id,
            "latency_ms": ms,
        }
    )


async def test_a_withdrawal_racing_the_last_approval_leaves_dext_and_xero_in_agreement(
    pipeline: Pipeline, org: Organisation
) -> None:
    """Approved and withdrawn at the same moment. Either approval authorised first — then it
    refuses the withdrawal, the bill reaches Xero once, and Dext sees it published with the
    withdrawal refused, never 'withdrawn' beside a live bill — or the withdrawal came first,
    and the approval is refused and nothing reaches Xero."""
    refused_withdrawals = 0
    for n in range(RACES):
        item = f"race-wd-{n}"
        request_id = await in_approval(org, item)
        approved, asked = await asyncio.gather(
            org.act(ANN, request_id, "approve"), withdraw(org, item)
        )
        assert asked.status_code in (202, 409), asked.text  # 409: ingest already knew

        if approved.status_code == 200:
            bill = await in_xero_once(org, item)
            status = await eventually(
                functools.partial(org.item_status, item),
                lambda s: (
                    s["status"] == "published"
                    and (s["withdrawal"] is None or s["withdrawal"]["state"] != "requested")
                ),
            )
            assert status["detail"]["xero_invoice_id"] == bill["InvoiceID"]
            if asked.status_code == 202:
                assert status["withdrawal"]["state"] == "refused", status
                assert "Void the bill in Xero" in status["withdrawal"]["refusal"]
                refused_withdrawals += 1
        else:
            assert approved.status_code == 409, approved.text
            status = await org.wait_status(item, ("withdrawn",))
            assert status["withdrawal"]["state"] == "granted"
            assert org.xero_invoices(lambda i, item=item: i["InvoiceNumber"] == f"INV-{item}") == []
    assert refused_withdrawals, "no race had the withdrawal refused by approval"


async def test_a_withdrawal_while_the_bill_is_being_created_is_refused_and_said_so(
    pipeline: Pipeline, org: Organisation
) -> None:
    hold_bill_creation(pipeline, org)
    request_id = await in_approval(org, "race-wd-held")
    await org.approve(ANN, request_id)
    await org.wait_status("race-wd-held", ("authorised",))  # the bill is on its way

    refused = await withdraw(org, "race-wd-held")
    bill = await in_xero_once(org, "race-wd-held")

    assert refused.status_code == 409, refused.text
    assert "void the bill there" in refused.json()["detail"]
    status = await org.wait_status("race-wd-held", ("published",))
    assert status["detail"]["xero_invoice_id"] == bill["InvoiceID"]


async def test_a_withdrawal_racing_a_pending_request_stops_it_and_nothing_reaches_xero(
    org: Organisation,
) -> None:
    """The other way round: the withdrawal is decided before anyone approves, so the
    approval that follows is refused and Xero never sees the bill."""
    request_id = await in_approval(org, "race-wd-first")
    asked = await withdraw(org, "race-wd-first")
    status = await org.wait_status("race-wd-first", ("withdrawn",))
    late = await org.act(ANN, request_id, "approve")

    assert asked.status_code == 202
    assert status["withdrawal"]["state"] == "granted"
    assert late.status_code == 409
    assert org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-race-wd-first") == []


async def test_a_new_version_racing_the_last_approval_is_refused_and_version_1_is_billed(
    pipeline: Pipeline, org: Organisation
) -> None:
    """Approved and republished at the same moment. Either approval authorised version 1
    first — then version 2 is refused with an event, Dext sees version 1's journey into Xero
    and why version 2 was not taken — or version 2 superseded version 1 first, the approval
    is refused, and version 2 starts over. Never two bills."""
    refused_versions = 0
    for n in range(RACES):
        item = f"race-rp-{n}"
        request_id = await in_approval(org, item)
        approved, republished = await asyncio.gather(
            org.act(ANN, request_id, "approve"), publish(org, amended(item))
        )
        assert republished.status_code in (202, 409), republished.text

        if approved.status_code == 200:
            bill = await in_xero_once(org, item)
            assert bill["Total"] == 126.6  # version 1, as approved; version 2 (151.92) never
            status = await eventually(
                functools.partial(org.item_status, item),
                lambda s: (
                    s["status"] == "published"
                    and (s["version"] == 1 or s["refused_republish"] is not None)
                ),
            )
            assert status["detail"]["xero_invoice_id"] == bill["InvoiceID"]
            if republished.status_code == 202:
                assert (status["version"], status["status_version"]) == (2, 1)
                assert "Amend the bill in Xero" in status["refused_republish"]["reason"]
                assert [r["item_version"] for r in await org.requests(item)] == [1]
                refused_versions += 1
        else:
            assert approved.status_code == 409, approved.text
            request = await org.request_of(item, version=2, states=("in_approval",))
            assert request["supersedes_request_id"] == request_id
            await org.approve(ANN, request["request_id"])
            bill = await in_xero_once(org, item)
            assert bill["Total"] == 151.92
        assert len(await org.publications(item)) == 1
    assert refused_versions, "no race had the new version refused by approval"


async def test_a_new_version_while_the_bill_is_being_created_never_makes_a_second_bill(
    pipeline: Pipeline, org: Organisation
) -> None:
    hold_bill_creation(pipeline, org)
    request_id = await in_approval(org, "race-rp-held")
    await org.approve(ANN, request_id)
    await org.wait_status("race-rp-held", ("authorised",))

    refused = await publish(org, amended("race-rp-held"))
    bill = await in_xero_once(org, "race-rp-held")

    assert refused.status_code == 409, refused.text
    assert bill["Total"] == 126.6
    assert len(await org.publications("race-rp-held")) == 1
