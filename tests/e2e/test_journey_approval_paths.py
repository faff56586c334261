"""The direct Dext integration's approval paths, end to end: ingest, approval and publisher as
separate processes on the real Kafka and Postgres, Dext and Xero as sandboxes over HTTP."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import pytest
from countersign_dext_sandbox.samples import line
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_platform.access import AccessVerifier
from countersign_platform.published_keys import PublishedKeys
from pypdf import PdfReader

from tests.e2e.journeys import (
    ANN,
    invoice,
    original,
    sha256,
)

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)

SETTLED = ("published", "publish_failed")


async def settled(org: Organisation, item: str) -> dict[str, Any]:
    """The item's ingest status once the publisher has finished with it (bill, files, payment)."""
    publication = await org.wait_publication(item)
    assert publication["state"] == "completed", publication
    return await org.wait_status(item, SETTLED)


async def publish(org: Organisation, metadata: dict[str, object]) -> httpx.Response:
    item = str(metadata["dext_item_id"])
    async with org.dext() as dext:
        return await dext.publish_cost_item(metadata, f"INV-{item}.pdf", original(item))


async def publish_a_barrier(org: Organisation) -> None:
    """An auto-approved item published after the one under test: once it is in Xero, the
    publisher has consumed everything emitted before it, so an absence is an absence."""
    small = invoice("barrier", line("Stamps", "2", "10.00", account_code="453"))
    assert (await publish(org, small)).status_code == 202
    reached = await settled(org, "barrier")
    assert reached["status"] == "published", reached


def report_text(org: Organisation, bill: dict[str, object], item: str) -> str:
    content = org.xero_attachment(str(bill["InvoiceID"]), f"approval-audit-{item}-v1.pdf")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_an_authorised_bill_is_awaiting_payment_in_xero_with_its_file_and_audit_report(
    pipeline: Pipeline, org: Organisation
) -> None:
    metadata = invoice("auth-1")
    assert (await publish(org, metadata)).status_code == 202
    request = await org.request_of("auth-1", states=("in_approval",))
    await org.approve(ANN, request["request_id"])

    status = await settled(org, "auth-1")

    assert status["status"] == "published", pipeline.logs()
    [bill] = org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-auth-1")
    assert (bill["Type"], bill["Status"], bill["Total"]) == ("ACCPAY", "AUTHORISED", 126.6)
    assert status["detail"]["xero_invoice_id"] == bill["InvoiceID"]
    files = {a["FileName"]: a["Sha256"] for a in bill["Attachments"]}
    assert set(files) == {"INV-auth-1.pdf", "approval-audit-auth-1-v1.pdf"}
    assert files["INV-auth-1.pdf"] == sha256(original("auth-1"))
    assert bill["Url"].startswith(metadata["source_url"])
    assert "Ann Approver" in report_text(org, bill, "auth-1")
    # Xero's users see why the bill exists: the decision, in the bill's History and Notes.
    [approved] = org.xero_notes(str(bill["InvoiceID"]))
    assert re.fullmatch(
        r'Countersign, step 1 "Budget holder": approved by Ann Approver,'
        r' \d{4}-\d\d-\d\d \d\d:\d\d UTC: "Looks right"',
        approved,
    ), approved


async def test_a_rejected_bill_never_reaches_xero_and_shows_who_rejected_it_and_why(
    org: Organisation,
) -> None:
    assert (await publish(org, invoice("rej-1"))).status_code == 202
    request = await org.request_of("rej-1", states=("in_approval",))
    await org.reject(ANN, request["request_id"], "Wrong cost centre")

    status = await org.wait_status("rej-1", ("rejected",))
    await publish_a_barrier(org)

    assert status["status"] == "rejected"
    assert status["detail"]["reason"] == "Wrong cost centre"
    assert status["detail"]["rejected_by"] == "Ann Approver"
    decided = await org.request(request["request_id"])
    assert decided["state"] == "rejected"
    assert "Wrong cost centre" in str(decided["audit_trail"])
    async with httpx.AsyncClient(timeout=10) as http:
        document = await http.get(status["original_document_url"])
    assert document.status_code == 200 and document.content == original("rej-1")
    assert org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-rej-1") == []
    assert await org.publications("rej-1") == []


async def test_a_rejected_bill_amended_and_republished_restarts_the_workflow_and_makes_one_bill(
    org: Organisation,
) -> None:
    first = invoice("amend-1")
    assert (await publish(org, first)).status_code == 202
    rejected = await org.request_of("amend-1", states=("in_approval",))
    await org.reject(ANN, rejected["request_id"], "Five boxes, not six? Check the quantity")
    await org.wait_status("amend-1", ("rejected",))

    amended = invoice("amend-1", line("Printer paper, A4", "6", "21.10", account_code="461"))
    republished = await publish(org, amended)
    assert republished.status_code == 202, republished.text
    assert republished.json()["version"] == 2
    restarted = await org.request_of("amend-1", version=2, states=("in_approval",))
    assert all(not approver["approved"] for approver in restarted["steps"][0]["approvers"])
    await org.approve(ANN, restarted["request_id"])
    status = await settled(org, "amend-1")

    assert status["status"] == "published"
    bills = org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-amend-1")
    assert [b["Total"] for b in bills] == [151.92]
    assert restarted["supersedes_request_id"] == rejected["request_id"]
    assert (await org.request(rejected["request_id"]))["state"] == "superseded"
    assert len(await org.publications("amend-1")) == 1


async def test_a_bill_withdrawn_in_dext_while_pending_is_cancelled_and_never_reaches_xero(
    org: Organisation,
) -> None:
    assert (await publish(org, invoice("wd-1"))).status_code == 202
    pending = await org.request_of("wd-1", states=("in_approval",))
    async with org.dext() as dext:
        withdrawn = await dext.withdraw("wd-1", "Deleted in Dext: a duplicate")
    assert withdrawn.status_code in (200, 202), withdrawn.text

    cancelled = await org.request_of("wd-1", states=("cancelled",))
    status = await org.wait_status("wd-1", ("withdrawn", "cancelled"))
    await publish_a_barrier(org)

    assert cancelled["request_id"] == pending["request_id"]
    assert cancelled["state"] == "cancelled"
    assert status["status"] in ("withdrawn", "cancelled")
    refused = await org.act(ANN, pending["request_id"], "approve")
    assert refused.status_code == 409, refused.text
    assert org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-wd-1") == []


async def test_a_bill_below_the_threshold_is_auto_approved_and_the_audit_report_says_so(
    org: Organisation,
) -> None:
    small = invoice("auto-1", line("Coffee beans", "2", "12.50", account_code="453"))
    assert (await publish(org, small)).status_code == 202

    status = await settled(org, "auto-1")

    assert status["status"] == "published"
    request = await org.request_of("auto-1")
    assert request["auto_approved"] is True
    assert all(not a["approved"] for step in request["steps"] for a in step["approvers"])
    [bill] = org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-auto-1")
    assert (bill["Status"], bill["Total"]) == ("AUTHORISED", 30.0)
    assert "auto-approved" in report_text(org, bill, "auto-1")
    [auto] = org.xero_notes(str(bill["InvoiceID"]))
    assert auto.startswith("Countersign: auto-approved, ") and "auto-approval rule 1" in auto


async def test_a_persons_access_token_is_signed_by_approval_and_verifiable_by_any_service(
    pipeline: Pipeline, org: Organisation
) -> None:
    token = await org.access_token(ANN)
    async with httpx.AsyncClient(timeout=10) as http:
        # As ingest and the publisher do: their ACCESS_JWKS_URL names the approval process.
        verifier = AccessVerifier(
            PublishedKeys(f"{pipeline.approval.url}/.well-known/jwks.json", http)
        )
        caller = await verifier.verify(token)
        pending = await http.get(
            f"{org.endpoints.approval}/v1/organisations/{org.organisation_id}/requests/pending",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert (caller.organisation_id, caller.roles) == (org.organisation_id, {"approver"})
    assert pending.status_code == 200, pending.text
    assert pipeline.ingest.environment()["ACCESS_JWKS_URL"].startswith(pipeline.approval.url)
