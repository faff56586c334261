"""The official xero-python SDK, pointed at the sandbox, creates a bill, attaches a file and pays
it: the sandbox speaks the wire format Xero's own client expects."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from countersign_xero_sandbox.harness import control, provision, serve
from countersign_xero_sandbox.settings import SandboxSettings
from pypdf import PdfReader
from xero_python.accounting import (
    Account,
    AccountingApi,
    BankTransaction,
    BankTransactions,
    Contact,
    CurrencyCode,
    Invoice,
    Invoices,
    LineAmountTypes,
    LineItem,
    Payment,
)
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.exceptions import AccountingBadRequestException
from xero_python.identity import IdentityApi

pytestmark = pytest.mark.integration

CLIENT_ID, CLIENT_SECRET = "sdk-app", "sdk-secret"


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with serve(SandboxSettings(time_scale=1.0)) as url:
        yield url


def sdk_client(token: dict[str, Any]) -> ApiClient:
    store = {"token": token}
    return ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)),
        pool_threads=1,
        oauth2_token_getter=lambda: store["token"],
        oauth2_token_saver=lambda new: store.update(token=new),
    )


def a_bill(contact_id: str) -> Invoice:
    return Invoice(
        type="ACCPAY",
        contact=Contact(contact_id=contact_id),
        date=datetime.date(2026, 5, 1),
        due_date=datetime.date(2026, 5, 31),
        invoice_number="SDK-1",
        url="https://countersign.example/documents/sdk-1",
        status="AUTHORISED",
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        line_items=[
            LineItem(
                description="Printer paper",
                quantity=2.0,
                unit_amount=50.0,
                account_code="429",
                tax_type="INPUT2",
            )
        ],
    )


def test_xero_sandbox_serves_the_official_sdk_bill_attachment_and_payment(
    sandbox_url: str,
) -> None:
    org = provision(sandbox_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    tenant_id = org["tenant_id"]
    client = sdk_client(org["token"])
    api = AccountingApi(client, base_url=f"{sandbox_url}/api.xro/2.0")

    supplier = api.create_contacts(tenant_id, {"Contacts": [{"Name": "SDK Supplies Ltd"}]})
    contact_id = supplier.contacts[0].contact_id

    created = api.create_invoices(
        tenant_id,
        Invoices(invoices=[a_bill(contact_id)]),
        summarize_errors=False,
        idempotency_key="sdk-bill-1",
    )
    bill = created.invoices[0]
    assert bill.has_errors is False
    assert bill.status == "AUTHORISED"
    assert (bill.sub_total, bill.total_tax, bill.total) == (100.0, 20.0, 120.0)
    assert bill.date == datetime.date(2026, 5, 1)

    attached = api.create_invoice_attachment_by_file_name(
        tenant_id, bill.invoice_id, "receipt #1 (scan).pdf", b"%PDF-1.4 receipt"
    )
    assert attached.attachments[0].file_name == "receipt #1 (scan).pdf"

    bank = next(a for a in org["tenant"]["accounts"] if a["Code"] == "090")
    paid = api.create_payment(
        tenant_id,
        Payment(
            invoice=Invoice(invoice_id=bill.invoice_id),
            account=Account(account_id=bank["AccountID"]),
            date=datetime.date(2026, 5, 2),
            amount=120.0,
            reference="Paid by card",
        ),
    )
    assert paid.payments[0].amount == 120.0
    assert (paid.payments[0].invoice.status, paid.payments[0].invoice.amount_due) == ("PAID", 0)

    fetched = api.get_invoice(tenant_id, bill.invoice_id).invoices[0]
    assert fetched.status == "PAID"
    assert fetched.amount_due == 0.0
    assert fetched.has_attachments is True
    state = control(sandbox_url, "GET", f"/_sandbox/tenants/{tenant_id}/state")
    [stored] = state["invoices"]
    assert [a["FileName"] for a in stored["Attachments"]] == ["receipt #1 (scan).pdf"]
    assert [p["Amount"] for p in stored["Payments"]] == [120.0]
    assert state["contacts"][0]["IsSupplier"] is True


def test_xero_sandbox_sdk_sees_validation_errors_and_refreshes_against_the_sandbox(
    sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = provision(sandbox_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    monkeypatch.setattr(TokenApi, "refresh_token_url", f"{sandbox_url}/connect/token")
    expired = {**org["token"], "expires_at": 0}  # forces the SDK to refresh first
    client = sdk_client(expired)
    api = AccountingApi(client, base_url=f"{sandbox_url}/api.xro/2.0")

    contact = api.create_contacts(org["tenant_id"], {"Contacts": [{"Name": "Refreshing Ltd"}]})
    assert contact.contacts[0].name == "Refreshing Ltd"
    refreshed = client.get_oauth2_token()
    assert refreshed["refresh_token"] != org["token"]["refresh_token"]

    bad = a_bill(contact.contacts[0].contact_id)
    bad.currency_code = CurrencyCode.JPY
    with pytest.raises(AccountingBadRequestException) as refused:
        api.create_invoices(org["tenant_id"], Invoices(invoices=[bad]))
    assert "Organisation is not subscribed to currency JPY" in str(refused.value)

    connections = IdentityApi(client, base_url=sandbox_url).get_connections()
    assert org["tenant_id"] in [c.tenant_id for c in connections]


def test_xero_sandbox_sdk_where_finds_non_ascii_and_quoted_names(sandbox_url: str) -> None:
    org = provision(sandbox_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    api = AccountingApi(sdk_client(org["token"]), base_url=f"{sandbox_url}/api.xro/2.0")
    names = ["Zoë Ltd", "株式会社テスト", "Party 🎉 Ltd", 'Say "Hi" Ltd']
    api.create_contacts(org["tenant_id"], {"Contacts": [{"Name": n} for n in names]})
    for name in names:
        where = 'Name=="{}"'.format(name.replace('"', '""'))
        found = api.get_contacts(org["tenant_id"], where=where).contacts
        assert [c.name for c in found] == [name]


def test_xero_sandbox_sdk_reads_an_organisation_without_a_lock_date_and_a_bill_without_due_date(
    sandbox_url: str,
) -> None:
    org = provision(sandbox_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    api = AccountingApi(sdk_client(org["token"]), base_url=f"{sandbox_url}/api.xro/2.0")
    [organisation] = api.get_organisations(org["tenant_id"]).organisations
    assert organisation.period_lock_date is None
    assert organisation.base_currency == CurrencyCode.GBP

    contact_id = (
        api.create_contacts(org["tenant_id"], {"Contacts": [{"Name": "No Due Date Ltd"}]})
        .contacts[0]
        .contact_id
    )
    undated = a_bill(contact_id)
    undated.due_date = None
    created = api.create_invoices(org["tenant_id"], Invoices(invoices=[undated])).invoices[0]
    assert created.due_date is None
    fetched = api.get_invoice(org["tenant_id"], created.invoice_id).invoices[0]
    assert (fetched.due_date, fetched.invoice_number) == (None, "SDK-1")
    listed = api.get_invoices(org["tenant_id"], i_ds=[created.invoice_id]).invoices
    assert [i.due_date for i in listed] == [None]


def downloaded(path: str) -> bytes:
    """The SDK saves a download to a temporary file and returns its path."""
    file = Path(path)
    try:
        return file.read_bytes()
    finally:
        file.unlink()


def test_xero_sandbox_sdk_downloads_attachments_and_the_invoice_as_pdf(sandbox_url: str) -> None:
    org = provision(sandbox_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    tenant_id = org["tenant_id"]
    api = AccountingApi(sdk_client(org["token"]), base_url=f"{sandbox_url}/api.xro/2.0")
    contact_id = (
        api.create_contacts(tenant_id, {"Contacts": [{"Name": "Zoë Downloads Ltd"}]})
        .contacts[0]
        .contact_id
    )
    bill = api.create_invoices(tenant_id, Invoices(invoices=[a_bill(contact_id)])).invoices[0]
    scan = b"%PDF-1.4 the supplier's scan \x00\xff"
    attached = api.create_invoice_attachment_by_file_name(
        tenant_id, bill.invoice_id, "scan #1.pdf", scan
    ).attachments[0]

    by_name = api.get_invoice_attachment_by_file_name(
        tenant_id, bill.invoice_id, "scan #1.pdf", "application/pdf"
    )
    assert downloaded(by_name) == scan
    by_id = api.get_invoice_attachment_by_id(
        tenant_id, bill.invoice_id, attached.attachment_id, "application/pdf"
    )
    assert downloaded(by_id) == scan

    spend = BankTransaction(
        type="SPEND",
        contact=Contact(contact_id=contact_id),
        bank_account=Account(code="090"),
        date=datetime.date(2026, 5, 2),
        line_items=[
            LineItem(description="Taxi", quantity=1.0, unit_amount=24.0, account_code="493")
        ],
    )
    made = api.create_bank_transactions(tenant_id, BankTransactions(bank_transactions=[spend]))
    spend_id = made.bank_transactions[0].bank_transaction_id
    api.create_bank_transaction_attachment_by_file_name(tenant_id, spend_id, "taxi.jpg", b"jpeg")
    assert (
        downloaded(
            api.get_bank_transaction_attachment_by_file_name(
                tenant_id, spend_id, "taxi.jpg", "image/jpeg"
            )
        )
        == b"jpeg"
    )

    pdf = downloaded(api.get_invoice_as_pdf(tenant_id, bill.invoice_id))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("Bill SDK-1", "Zoë Downloads Ltd", "2026-05-01", "2026-05-31"):
        assert expected in text
    for expected in ("Printer paper", "100.00", "20.00", "120.00", "AUTHORISED"):
        assert expected in text


def test_xero_sandbox_sdk_rounds_unit_amounts_unless_it_asks_for_unitdp_4(
    sandbox_url: str,
) -> None:
    org = provision(sandbox_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    api = AccountingApi(sdk_client(org["token"]), base_url=f"{sandbox_url}/api.xro/2.0")
    contact_id = (
        api.create_contacts(org["tenant_id"], {"Contacts": [{"Name": "Thirds Ltd"}]})
        .contacts[0]
        .contact_id
    )
    thirds = a_bill(contact_id)
    thirds.line_items = [
        LineItem(
            description="thirds",
            quantity=3.0,
            unit_amount=0.333,
            account_code="429",
            tax_type="NONE",
        )
    ]
    plain = api.create_invoices(org["tenant_id"], Invoices(invoices=[thirds])).invoices[0]
    # The SDK reads JSON numbers as Decimals.
    assert (plain.line_items[0].unit_amount, plain.total) == (Decimal("0.33"), Decimal("0.99"))
    opted = api.create_invoices(org["tenant_id"], Invoices(invoices=[thirds]), unitdp=4)
    [four] = opted.invoices
    assert (four.line_items[0].unit_amount, four.total) == (Decimal("0.3330"), Decimal("1.00"))
    read = api.get_invoice(org["tenant_id"], four.invoice_id, unitdp=4)
    assert read.invoices[0].line_items[0].unit_amount == Decimal("0.333")
