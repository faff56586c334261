"""The direct Dext integration's ledger side, end to end: payments, bank-account spend,
suppliers flowing back to Dext, a Xero refusal fixed and retried, and expense reports."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from countersign_dext_sandbox.samples import REQUESTER, cost_item, line
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.waiting import eventually

from tests.e2e.journeys import (
    ANN,
    invoice,
    original,
    sha256,
)

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)


async def publish_and_approve(org: Organisation, metadata: dict[str, Any]) -> dict[str, Any]:
    """Publishes as Dext, approves as Ann, and returns the finished publication."""
    item = str(metadata["dext_item_id"])
    async with org.dext() as dext:
        accepted = await dext.publish_cost_item(metadata, f"{item}.pdf", original(item))
    assert accepted.status_code == 202, accepted.text
    request = await org.request_of(item, states=("in_approval",))
    await org.approve(ANN, request["request_id"])
    return await org.wait_publication(item)


async def test_a_bill_paid_in_dext_is_paid_in_xero_from_the_chosen_bank_account(
    pipeline: Pipeline, org: Organisation
) -> None:
    paid = invoice("paid-1", paid_on=date.today() - timedelta(days=1))

    publication = await publish_and_approve(org, paid)

    assert publication["state"] == "completed", pipeline.logs()
    [bill] = org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-paid-1")
    assert (bill["Status"], bill["AmountDue"], bill["AmountPaid"]) == ("PAID", 0.0, 126.6)
    [payment] = bill["Payments"]
    [recorded] = [p for p in org.xero_state()["payments"] if p["PaymentID"] == payment["PaymentID"]]
    assert recorded["Account"]["Code"] == "090"
    assert recorded["Amount"] == 126.6
    # The item shows "published" from the bill's creation (AUTHORISED); the payment's news follows.
    status = await eventually(
        lambda: org.item_status("paid-1"), lambda s: s["detail"].get("xero_status") == "PAID", 60
    )
    assert (status["status"], status["detail"]["xero_status"]) == ("published", "PAID")
    assert status["detail"]["xero_invoice_id"] == bill["InvoiceID"]


async def test_a_bank_account_transaction_goes_straight_to_xero_as_spend_money(
    org: Organisation,
) -> None:
    lines = [line("Parking, monthly permit", "1", "95.00", account_code="493")]
    spend = {
        "dext_item_id": "bank-1",
        "document_type": "receipt",
        "contact": {"name": "City Parking Services"},
        "bank_account": {"code": "090"},
        "transaction_date": (date.today() - timedelta(days=1)).isoformat(),
        "reference": "PARK-11",
        "currency": "GBP",
        "line_amount_type": "exclusive",
        "lines": lines,
        "subtotal": "95.00",
        "total_tax": "19.00",
        "total": "114.00",
        "requester": REQUESTER,
        "source_url": "https://dext.example/costs/bank-1",
    }
    async with org.dext() as dext:
        accepted = await dext.publish_bank_transaction(spend, "parking.pdf", original("bank-1"))
    assert accepted.status_code == 202, accepted.text

    publication = await org.wait_publication("bank-1")

    assert publication["state"] == "completed", publication
    [transaction] = org.xero_state()["bank_transactions"]
    assert (transaction["Type"], transaction["Total"]) == ("SPEND", 114.0)
    assert transaction["BankAccount"]["Code"] == "090"
    assert [a["Sha256"] for a in transaction["Attachments"]] == [sha256(original("bank-1"))]
    assert await org.requests("bank-1") == []
    assert org.xero_invoices() == []


async def test_the_supplier_a_first_bill_creates_appears_in_the_list_dext_pulls(
    org: Organisation,
) -> None:
    first = invoice("sup-1", supplier="Brand New Supplies Ltd")

    await publish_and_approve(org, first)
    [bill] = org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-sup-1")
    listed = await eventually(
        org.suppliers_pulled_by_dext,
        lambda found: any(s["name"] == "Brand New Supplies Ltd" for s in found),
    )

    [supplier] = [s for s in listed if s["name"] == "Brand New Supplies Ltd"]
    assert supplier["xero_contact_id"] == bill["Contact"]["ContactID"]


async def test_a_xero_refusal_fails_the_publication_with_xeros_message_and_a_retry_makes_one_bill(
    org: Organisation,
) -> None:
    # The books are closed up to yesterday: a bill dated three days ago is refused by Xero.
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    org.xero_control("PATCH", f"/_sandbox/tenants/{org.tenant_id}", {"lock_date": yesterday})

    failed = await publish_and_approve(org, invoice("lock-1"))
    status = await org.wait_status("lock-1", ("publish_failed",))
    request = await org.request_of("lock-1", states=("publish_failed",))
    org.xero_control("PATCH", f"/_sandbox/tenants/{org.tenant_id}", {"lock_date": None})
    retried = await org.act(None, request["request_id"], "retry-publication", {"comment": "open"})
    assert retried.status_code in (200, 202), retried.text
    done = await org.wait_publication("lock-1", states=("completed",))

    assert failed["state"] == "failed"
    assert any("period lock date" in message for message in status["detail"]["messages"])
    assert status["detail"]["retryable"] is False
    assert done["state"] == "completed"
    bills = org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-lock-1")
    assert [(b["Status"], len(b["Attachments"])) for b in bills] == [("AUTHORISED", 2)]
    assert (await org.wait_status("lock-1", ("published",)))["status"] == "published"


async def test_an_expense_report_is_one_bill_from_the_requester_with_a_line_per_expense(
    org: Organisation,
) -> None:
    expenses = [
        line("Train, London to Leeds", "1", "86.40", account_code="493", amount_type="no_tax"),
        line("Hotel, one night", "1", "119.00", account_code="493", amount_type="no_tax"),
        line("Taxi to client", "1", "23.80", account_code="493", amount_type="no_tax"),
    ]
    report = cost_item("exp-1", "expense_report", expenses, supplier=None, amount_type="no_tax")

    publication = await publish_and_approve(org, report)

    assert publication["state"] == "completed", publication
    [bill] = org.xero_invoices()
    contacts = {c["ContactID"]: c["Name"] for c in org.xero_state()["contacts"]}
    assert contacts[bill["Contact"]["ContactID"]] == f"{REQUESTER['name']} - Expense report"
    assert [x["Description"] for x in bill["LineItems"]] == [e["description"] for e in expenses]
    assert (bill["InvoiceNumber"], bill["Total"]) == ("DEXT-exp-1", 229.2)
