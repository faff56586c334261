"""The via-Xero mode end to end on the shared pipeline (ADR 0058): a bill a capture tool submits
in the Xero sandbox ("Awaiting Approval") is pulled (Xero's webhook) into a request owned by
the organisation's requester, reviewed (coding only) and approved at two steps, and then the
very bill is AUTHORISED in Xero with the approved coding, its history notes and the audit
report; a rejected one goes back to DRAFT with the reason in its history; one edited in Xero
mid-approval restarts its request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from countersign_harness.organisation import Organisation, Person
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.via_xero import (
    edit_in_xero,
    pulled_item,
    submit_in_xero,
    switch_ledger_mode,
    xero_invoice,
)

from tests.e2e.web_visitor import signed_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("xero_webhook")]
SHARED_PIPELINE = True

REX, ANN, BOB, PAT = (f"{n}@example.com" for n in ("rex", "ann", "bob", "pat"))
PEOPLE = (
    Person(REX, "Rex Reviewer", ("reviewer",)),
    Person(ANN, "Ann Approver", ("approver",)),
    Person(BOB, "Bob Finance", ("approver",)),
    Person(PAT, "Pat Payables", ("requester",)),
)
WORKFLOW: dict[str, Any] = {
    "name": "Bill creation, review and approval",
    "review": {"reviewers": [REX]},
    "steps": [
        {"name": "Budget holder", "approvers": [{"approver": ANN}]},
        {"name": "Finance", "approvers": [{"approver": BOB}]},
    ],
    "default_approver": "ada@example.com",
}


async def _page_shown_to(org: Organisation, email: str, request_id: str) -> tuple[str, str]:
    """The request's page as ``email`` sees it in the web app, and where its original leads."""
    visitor = await signed_in(org, email)
    try:
        shown = await visitor.http.get(f"/requests/{request_id}")
        original = await visitor.http.get(f"/requests/{request_id}/original")
    finally:
        await visitor.http.aclose()
    assert shown.status_code == 200 and original.status_code == 303, original.text
    return shown.text, original.headers["location"]


RENT = {"Description": "Office rent, December", "Quantity": 1, "UnitAmount": "1000.00",
        "AccountCode": "429", "TaxType": "INPUT2"}  # fmt: skip


async def _via_xero(pipeline: Pipeline, name: str) -> Organisation:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name=name)
    await switch_ledger_mode(org, "via_xero", requester=PAT)
    return org


async def _in_step(org: Organisation, invoice_id: str, version: int = 1) -> dict[str, Any]:
    return await org.request_of(pulled_item(invoice_id), version, ("in_approval",))


async def _reviewed(org: Organisation, invoice_id: str, version: int = 1) -> dict[str, Any]:
    """The pulled request once its review is done: line 1 recoded to 400 by the reviewer."""
    request = await org.request_of(pulled_item(invoice_id), version, ("in_review",))
    recoded = await org.recode(request["request_id"], 0, {"account_code": "400"}, REX)
    assert recoded.status_code == 200, recoded.text
    done = await org.act(REX, request["request_id"], "review", {"comment": "Recoded to rent"})
    assert done.status_code == 200, done.text
    return request


async def test_a_bill_submitted_in_xero_is_approved_in_two_steps_and_authorised_there(
    pipeline: Pipeline,
) -> None:
    org = await _via_xero(pipeline, "Via Xero Approved Ltd")
    invoice_id = submit_in_xero(org, "HR-1001", [RENT])

    request = await _reviewed(org, invoice_id)
    page, original = await _page_shown_to(org, ANN, request["request_id"])
    await org.approve(ANN, (await _in_step(org, invoice_id))["request_id"])
    await org.approve(BOB, request["request_id"])
    publication = await org.wait_publication(pulled_item(invoice_id))

    assert request["source"] == "xero" and request["requester"]["email"] == PAT
    assert "Open in Xero" in page and "only its coding may change" in page
    assert 'id="scan"' not in page  # the files are on the bill in Xero
    assert original == request["original_document_url"] and invoice_id in original
    assert publication["state"] == "completed", publication
    bill = xero_invoice(org, invoice_id)
    assert bill["Status"] == "AUTHORISED"
    assert [line["AccountCode"] for line in bill["LineItems"]] == ["400"]
    assert Decimal(str(bill["Total"])) == Decimal("1200.00")  # Xero's amounts, untouched
    assert len(org.xero_invoices()) == 1  # the very bill: no second one
    notes = org.xero_notes(invoice_id)
    assert any("approved by Ann Approver" in n for n in notes), notes
    assert any("approved by Bob Finance" in n for n in notes), notes
    [report] = bill["Attachments"]
    assert org.xero_attachment(invoice_id, report["FileName"]).startswith(b"%PDF")
    final = await org.request(request["request_id"])
    assert final["state"] == "published"
    assert final["publication"]["xero_invoice_id"] == invoice_id


async def test_a_rejected_bill_goes_back_to_draft_in_xero_with_the_reason(
    pipeline: Pipeline,
) -> None:
    org = await _via_xero(pipeline, "Via Xero Rejected Ltd")
    invoice_id = submit_in_xero(org, "HR-1002", [RENT])

    await _reviewed(org, invoice_id)
    request = await _in_step(org, invoice_id)
    await org.reject(ANN, request["request_id"], "Not our lease: wrong tenant")
    publication = await org.wait_publication(pulled_item(invoice_id))

    assert publication["state"] == "completed", publication
    assert xero_invoice(org, invoice_id)["Status"] == "DRAFT"
    [note] = org.xero_notes(invoice_id)
    assert '"Budget holder": rejected by Ann Approver' in note
    assert note.endswith('"Not our lease: wrong tenant"')
    assert (await org.request(request["request_id"]))["state"] == "rejected"


async def test_a_bill_edited_in_xero_mid_approval_restarts_its_request(
    pipeline: Pipeline,
) -> None:
    org = await _via_xero(pipeline, "Via Xero Edited Ltd")
    invoice_id = submit_in_xero(org, "HR-1003", [RENT])
    first = await _reviewed(org, invoice_id)
    await org.approve(ANN, (await _in_step(org, invoice_id))["request_id"])

    edit_in_xero(org, invoice_id, {"LineItems": [{**RENT, "UnitAmount": "1100.00"}]})
    second = await org.request_of(pulled_item(invoice_id), 2, ("in_review",))

    assert (await org.request(first["request_id"]))["state"] == "superseded"
    assert Decimal(second["bill"]["total"]) == Decimal("1320.00")
    assert xero_invoice(org, invoice_id)["Status"] == "SUBMITTED"
    assert await org.publications(pulled_item(invoice_id)) == []
