"""A live sample for the fidelity net, needing no Kafka or Postgres: an in-process Xero sandbox,
recorded, driven through the publisher's ``XeroClient`` (with the publisher's own mapping of a
bill) and through the official SDK, over the operations Countersign relies on — then the
checker over that recording. The net thus works in any pytest run that selects this test, not
only after a full ``make test``."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from countersign_harness.publisher_samples import bank_item, document_bytes, sample_bill
from countersign_platform.outbound import OutboundHttp
from countersign_publisher.adapters.xero_client import Credentials, XeroClient
from countersign_publisher.adapters.xero_limits import CallScheduler, Limits
from countersign_publisher.adapters.xero_mapping import (
    xero_bank_transaction,
    xero_bill,
    xero_payment,
)
from countersign_xero_sandbox.harness import provision, serve
from countersign_xero_sandbox.settings import SandboxSettings
from xero_python.accounting import (
    Account,
    AccountingApi,
    Contact,
    Invoice,
    Invoices,
    LineAmountTypes,
    LineItem,
    Payment,
)
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token

from tests.fidelity.check import check_exchanges
from tests.fidelity.recordings import read_recordings

pytestmark = pytest.mark.integration

CLIENT_ID, CLIENT_SECRET = "fidelity-app", "fidelity-secret"


class FixedCredentials:
    def __init__(self, access_token: str, tenant_id: str) -> None:
        self._credentials = Credentials(access_token=access_token, tenant_id=tenant_id)

    async def credentials(self, organisation_id: UUID, *, refresh: bool = False) -> Credentials:
        return self._credentials


async def drive_the_publisher(root: str, org: dict[str, Any]) -> None:
    """What the publisher does for a paid bill and a card receipt, through its own client."""
    http = OutboundHttp(timeout_s=10)
    credentials = FixedCredentials(org["token"]["access_token"], org["tenant_id"])
    xero = XeroClient(http, f"{root}/api.xro/2.0", credentials, CallScheduler(Limits()))
    me = uuid.uuid4()
    try:
        bill = sample_bill("FID-1", paid_from="090")
        assert await xero.contacts_named(me, bill.supplier.name) == []
        contact = await xero.create_contact(me, bill.supplier.name, "fid-contact")
        contact_id = UUID(contact["ContactID"])
        await xero.contact(me, contact_id)
        await xero.contacts_page(me, 1, None)
        url = "https://countersign.example/items/FID-1"
        [created] = await xero.create_bills(me, [xero_bill(bill, contact_id, url)], "fid-bill")
        invoice_id = UUID(created["InvoiceID"])
        content = document_bytes("FID-1")
        await xero.attach(
            me, "Invoices", invoice_id, "FID-1.pdf", content, "application/pdf", "fid-attach"
        )
        await xero.attachments(me, "Invoices", invoice_id)
        await xero.add_notes(me, invoice_id, ["Approved by Ann", "Approved by Bo"], "fid-notes")
        await xero.history(me, invoice_id)
        await xero.create_payment(me, xero_payment(bill, invoice_id), "fid-pay")
        await xero.bill(me, invoice_id)
        await xero.bills_numbered(me, "FID-1", contact_id)
        spend = xero_bank_transaction(bank_item("FID-R-1"), contact_id, f"{url}#receipt")
        await xero.create_bank_transaction(me, spend, "fid-spend")
        await xero.bank_transactions_where(me, 'Reference=="FID-R-1"')
    finally:
        await http.aclose()


def drive_the_sdk(root: str, org: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same operations through xero-python. Answers are taken raw (``_preload_content``):
    reading them is the checker's job, and one unreadable answer must not hide the rest."""
    # The SDK's Configuration hands every later caller a copy of the first one ever built;
    # ours must be neither theirs nor, after this test, everyone's.
    monkeypatch.setattr(Configuration, "_default", None)
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)),
        pool_threads=1,
        oauth2_token_getter=lambda: org["token"],
        oauth2_token_saver=lambda token: None,
    )
    api = AccountingApi(client, base_url=f"{root}/api.xro/2.0")
    tenant = org["tenant_id"]

    def raw(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        answer = call(tenant, *args, _preload_content=False, **kwargs)
        return json.loads(answer.data) if answer.data else None

    contact = raw(api.create_contacts, {"Contacts": [{"Name": "SDK Supplies Ltd"}]})
    contact_id = contact["Contacts"][0]["ContactID"]
    bill = Invoice(
        type="ACCPAY",
        contact=Contact(contact_id=contact_id),
        date=datetime.date(2026, 5, 1),
        due_date=datetime.date(2026, 5, 31),
        invoice_number="SDK-1",
        status="AUTHORISED",
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        line_items=[
            LineItem(
                description="Toner",
                quantity=2.0,
                unit_amount=50.0,
                account_code="429",
                tax_type="INPUT2",
            )
        ],
    )
    created = raw(api.create_invoices, Invoices(invoices=[bill]), summarize_errors=False)
    invoice_id = created["Invoices"][0]["InvoiceID"]
    raw(api.create_invoice_attachment_by_file_name, invoice_id, "scan.pdf", b"%PDF-1.4 scan")
    bank = next(a for a in org["tenant"]["accounts"] if a["Code"] == "090")
    payment = Payment(
        invoice=Invoice(invoice_id=invoice_id),
        account=Account(account_id=bank["AccountID"]),
        date=datetime.date(2026, 5, 2),
        amount=120.0,
    )
    raw(api.create_payment, payment)
    raw(api.get_invoice, invoice_id)
    raw(api.get_invoices, statuses=["PAID", "AUTHORISED"], page=1)
    raw(api.get_invoice_attachments, invoice_id)
    raw(api.create_invoice_history, invoice_id, {"HistoryRecords": [{"Details": "Checked"}]})
    raw(api.get_invoice_history, invoice_id)
    raw(api.get_payments)
    raw(api.get_contacts, where='Name=="SDK Supplies Ltd"')
    raw(api.get_contact, contact_id)
    raw(api.get_organisations)
    raw(api.get_accounts)
    raw(api.get_tax_rates)
    raw(api.get_tracking_categories)
    raw(api.get_currencies)
    template = {"Type": "ACCPAY", "Status": "AUTHORISED", "Contact": {"ContactID": contact_id},
                "Schedule": {"Period": 1, "Unit": "MONTHLY", "DueDate": 20,
                             "DueDateType": "OFFOLLOWINGMONTH", "StartDate": "2026-06-01"},
                "LineItems": [{"Description": "Storage", "Quantity": 1.0, "UnitAmount": 50.0,
                               "AccountCode": "429", "TaxType": "INPUT2"}]}  # fmt: skip
    made = raw(api.create_repeating_invoices, {"RepeatingInvoices": [template]})
    template_id = made["RepeatingInvoices"][0]["RepeatingInvoiceID"]
    raw(api.get_repeating_invoices)
    raw(api.get_repeating_invoice, template_id)
    run = f"{root}/_sandbox/tenants/{tenant}/repeating-invoices/{template_id}/run"
    repeated = httpx.post(run, timeout=10).json()
    raw(api.get_invoice, repeated["InvoiceID"])


async def test_a_live_sample_of_the_main_xero_operations_shows_no_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = tmp_path / "sample.jsonl"
    with serve(SandboxSettings(record=str(recording))) as root:
        await drive_the_publisher(
            root, provision(root, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        )
        sdk_org = provision(root, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        drive_the_sdk(root, sdk_org, monkeypatch)

    recorded = read_recordings([recording])
    findings, tally = check_exchanges(recorded.exchanges, examples=2)
    accounting = [e for e in recorded.exchanges if e.path.startswith("/api.xro/2.0/")]
    assert [e.status for e in accounting if not 200 <= (e.status or 0) < 300] == []
    # Every call above was answered and judged: 14 by the publisher, 21 through the SDK.
    assert tally.publisher_requests == 14
    assert tally.answers == len(accounting) == 35
    assert len(findings) == 0, "the Xero sandbox drifted from Xero:\n\n" + findings.report()
