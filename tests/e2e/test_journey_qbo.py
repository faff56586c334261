"""The journeys Xero's organisations take, for an organisation whose ledger is QuickBooks Online:
approved → an open Bill with its file and audit report; paid → a BillPayment from the chosen
account, balance 0; rejected → nothing in QBO, amended and republished → one bill; a bank
transaction → a Purchase without approval; the vendor a bill created → the list Dext pulls;
a bill edited in QBO after approval → on the request's trail (Intuit's webhook). Ingest,
approval and publisher as separate processes on the real Kafka and Postgres; Dext and QBO as
sandboxes over HTTP."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from countersign_dext_sandbox.samples import REQUESTER, line
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.qbo_books import QboBooks
from countersign_harness.waiting import eventually
from pypdf import PdfReader

from tests.e2e.journeys import ANN, PEOPLE, WORKFLOW, invoice, original, sha256

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see; the webhook is removed


@pytest.fixture(name="org")
async def qbo_organisation(pipeline: Pipeline) -> Organisation:
    """An organisation connected to a fresh UK QuickBooks Online company."""
    return await provision_organisation(
        pipeline.endpoints, WORKFLOW, PEOPLE, name="Harbour Lights Ltd", ledger="qbo"
    )


def named(books: QboBooks, kind: str, name: str) -> str:
    """The Id of the company's record of that name (its coding as Dext sends it: by Id)."""
    [found] = books.entities(kind, lambda r: r.get("Name") == name)
    return str(found["Id"])


def qbo_invoice(
    org: Organisation, item: str, quantity: str = "5", **options: Any
) -> dict[str, Any]:
    """126.60 of printer paper (at five boxes) coded to Office Expenses at 20% VAT."""
    coded = line(
        "Printer paper, A4, boxes",
        quantity,
        "21.10",
        account_code=named(org.qbo, "Account", "Office Expenses"),
        tax_type=named(org.qbo, "TaxCode", "20.0% S"),
    )
    return invoice(item, coded, **options)


async def publish(org: Organisation, metadata: dict[str, Any]) -> None:
    item = str(metadata["dext_item_id"])
    async with org.dext() as dext:
        accepted = await dext.publish_cost_item(metadata, f"INV-{item}.pdf", original(item))
    assert accepted.status_code == 202, accepted.text


async def publish_and_approve(org: Organisation, metadata: dict[str, Any]) -> dict[str, Any]:
    await publish(org, metadata)
    request = await org.request_of(str(metadata["dext_item_id"]), states=("in_approval",))
    await org.approve(ANN, request["request_id"])
    return await org.wait_publication(str(metadata["dext_item_id"]))


def bills(org: Organisation, number: str) -> list[dict[str, Any]]:
    return org.qbo.entities("Bill", lambda b: b.get("DocNumber") == number)


async def test_an_approved_bill_is_open_in_qbo_with_its_file_and_audit_report(
    pipeline: Pipeline, org: Organisation
) -> None:
    publication = await publish_and_approve(org, qbo_invoice(org, "qbo-1"))

    assert publication["state"] == "completed", pipeline.logs()
    [bill] = bills(org, "INV-qbo-1")
    assert (bill["TotalAmt"], bill["Balance"]) == (126.6, 126.6)  # open: nothing paid
    [vendor] = org.qbo.entities("Vendor", lambda v: v["Id"] == bill["VendorRef"]["value"])
    assert vendor["DisplayName"] == "Northwind Stationery Ltd"
    [coded] = bill["Line"]
    detail = coded["AccountBasedExpenseLineDetail"]
    assert detail["AccountRef"]["value"] == named(org.qbo, "Account", "Office Expenses")
    assert detail["TaxCodeRef"]["value"] == named(org.qbo, "TaxCode", "20.0% S")
    assert bill["DueDate"] > bill["TxnDate"]
    files = {a["FileName"]: a for a in org.qbo.attachments("Bill", bill["Id"])}
    assert set(files) == {"INV-qbo-1.pdf", "approval-audit-qbo-1-v1.pdf"}
    assert sha256(org.qbo.download(files["INV-qbo-1.pdf"]["Id"])) == sha256(original("qbo-1"))
    report = org.qbo.download(files["approval-audit-qbo-1-v1.pdf"]["Id"])
    assert "Ann Approver" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(report)).pages)
    assert publication["ledger_bill_id"] == bill["Id"]
    status = await org.wait_status("qbo-1", ("published",))
    assert status["status"] == "published"


async def test_a_bill_paid_in_dext_is_paid_in_qbo_from_the_chosen_account(
    org: Organisation,
) -> None:
    checking = named(org.qbo, "Account", "Checking")
    paid = qbo_invoice(org, "qbo-paid", paid_on=date.today() - timedelta(days=1))
    paid["payment"]["account"] = {"code": checking}

    publication = await publish_and_approve(org, paid)

    assert publication["state"] == "completed", publication
    [bill] = bills(org, "INV-qbo-paid")
    assert bill["Balance"] == 0
    [payment] = org.qbo.entities("BillPayment")
    assert payment["PayType"] == "Check"
    assert payment["CheckPayment"]["BankAccountRef"]["value"] == checking
    assert payment["TotalAmt"] == 126.6
    [linked] = payment["Line"][0]["LinkedTxn"]
    assert linked == {"TxnId": bill["Id"], "TxnType": "Bill"}


async def test_a_rejected_bill_never_reaches_qbo_and_amended_and_republished_makes_one_bill(
    org: Organisation,
) -> None:
    await publish(org, qbo_invoice(org, "qbo-amend"))
    rejected = await org.request_of("qbo-amend", states=("in_approval",))
    await org.reject(ANN, rejected["request_id"], "Six boxes, not five")
    await org.wait_status("qbo-amend", ("rejected",))
    assert bills(org, "INV-qbo-amend") == []
    assert await org.publications("qbo-amend") == []

    await publish(org, qbo_invoice(org, "qbo-amend", quantity="6"))
    restarted = await org.request_of("qbo-amend", version=2, states=("in_approval",))
    await org.approve(ANN, restarted["request_id"])
    publication = await org.wait_publication("qbo-amend")

    assert publication["state"] == "completed", publication
    assert [b["TotalAmt"] for b in bills(org, "INV-qbo-amend")] == [151.92]
    assert restarted["supersedes_request_id"] == rejected["request_id"]


async def test_a_bank_account_transaction_goes_straight_to_qbo_as_a_purchase(
    org: Organisation,
) -> None:
    checking = named(org.qbo, "Account", "Checking")
    coded = line(
        "Parking, monthly permit",
        "1",
        "95.00",
        account_code=named(org.qbo, "Account", "Travel"),
        tax_type=named(org.qbo, "TaxCode", "20.0% S"),
    )
    spend = {
        "dext_item_id": "qbo-bank",
        "document_type": "receipt",
        "contact": {"name": "City Parking Services"},
        "bank_account": {"code": checking},
        "transaction_date": (date.today() - timedelta(days=1)).isoformat(),
        "reference": "PARK-11",
        "currency": "GBP",
        "line_amount_type": "exclusive",
        "lines": [coded],
        "subtotal": "95.00",
        "total_tax": "19.00",
        "total": "114.00",
        "requester": REQUESTER,
        "source_url": "https://dext.example/costs/qbo-bank",
    }
    async with org.dext() as dext:
        accepted = await dext.publish_bank_transaction(spend, "parking.pdf", original("qbo-bank"))
    assert accepted.status_code == 202, accepted.text

    publication = await org.wait_publication("qbo-bank")

    assert publication["state"] == "completed", publication
    [purchase] = org.qbo.entities("Purchase")
    assert (purchase["PaymentType"], purchase["TotalAmt"]) == ("Cash", 114.0)
    assert purchase["AccountRef"]["value"] == checking
    [attached] = org.qbo.attachments("Purchase", purchase["Id"])
    assert sha256(org.qbo.download(attached["Id"])) == sha256(original("qbo-bank"))
    assert await org.requests("qbo-bank") == []
    assert org.qbo.entities("Bill") == []


async def test_the_vendor_a_first_bill_creates_appears_in_the_list_dext_pulls(
    org: Organisation,
) -> None:
    await publish_and_approve(org, qbo_invoice(org, "qbo-sup", supplier="Brand New Supplies Ltd"))
    [vendor] = org.qbo.entities("Vendor", lambda v: v["DisplayName"] == "Brand New Supplies Ltd")

    listed = await eventually(
        org.suppliers_pulled_by_dext,
        lambda found: any(s["name"] == "Brand New Supplies Ltd" for s in found),
    )

    [supplier] = [s for s in listed if s["name"] == "Brand New Supplies Ltd"]
    assert (supplier["ledger"], supplier["ledger_contact_id"]) == ("qbo", vendor["Id"])


@pytest.mark.usefixtures("qbo_webhook")
async def test_an_approved_bill_edited_in_qbo_is_on_the_requests_trail(org: Organisation) -> None:
    await publish(org, qbo_invoice(org, "qbo-edit"))
    request = await org.request_of("qbo-edit", states=("in_approval",))
    await org.approve(ANN, request["request_id"])
    publication = await org.wait_publication("qbo-edit")
    [bill] = bills(org, "INV-qbo-edit")
    org.qbo.sparse_update("Bill", bill["Id"], Line=[{**bill["Line"][0], "Amount": 1105.5}])

    shown = await eventually(
        lambda: org.request(request["request_id"]),
        lambda found: any(e["action"] == "changed_in_xero" for e in found["audit_trail"]),
        timeout_s=30,
    )

    assert publication["state"] == "completed", publication
    [entry] = [e for e in shown["audit_trail"] if e["action"] == "changed_in_xero"]
    assert {"field": "total", "before": "126.60", "after": "1326.60"} in entry["changes"]
    assert shown["state"] == "published"
    # Named as QuickBooks Online and in its words, the bill by its Id there.
    assert entry["actor"]["name"] == "QuickBooks Online"
    assert entry["comment"].startswith("Changed in QuickBooks Online after approval (bill open")
    assert (shown["ledger"], shown["publication"]["ledger_bill_id"]) == ("qbo", bill["Id"])
