"""The QBO sandbox driven by clients nobody here wrote: Intuit's ``intuit-oauth`` runs the OAuth2
code flow (discovery document, consent page over HTTP, code for tokens) and ``python-quickbooks``
creates a vendor, a bill with an account line, uploads an attachment to it, pays it by check and
reads it back paid — each answer checked. The sandbox runs as its own process, as for the
publisher's tests."""

from __future__ import annotations

import warnings

import pytest
from countersign_harness.qbo_process import CLIENT_ID, CLIENT_SECRET, QboSandbox, answer_consent
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks
from quickbooks.objects.account import Account
from quickbooks.objects.attachable import Attachable
from quickbooks.objects.base import AttachableRef
from quickbooks.objects.bill import Bill
from quickbooks.objects.billpayment import BillPayment, BillPaymentLine, CheckPayment
from quickbooks.objects.detailline import AccountBasedExpenseLine, AccountBasedExpenseLineDetail
from quickbooks.objects.vendor import Vendor

REDIRECT_URI = "http://127.0.0.1:9/qbo/callback"
PDF = b"%PDF-1.4\n% a supplier's invoice\n%%EOF\n"


def test_python_quickbooks_pays_a_bill_with_an_attachment(
    qbo_sandbox: QboSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests-oauthlib refuses plain HTTP unless told, and the sandbox is on loopback HTTP.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    qbo_sandbox.register_app([REDIRECT_URI])
    realm_id = qbo_sandbox.create_company(name="Independent Client Co", country="US")["realm_id"]
    # Any environment other than sandbox/production is the discovery document's URL.
    auth = AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, qbo_sandbox.discovery_url)
    assert auth.token_endpoint.startswith(qbo_sandbox.root)
    target, redirect = answer_consent(auth.get_authorization_url([Scopes.ACCOUNTING]), realm_id)
    assert target == REDIRECT_URI
    assert redirect["state"] == auth.state_token and redirect["realmId"] == realm_id
    auth.get_bearer_token(redirect["code"], realm_id=realm_id)
    assert auth.access_token and auth.refresh_token and auth.expires_in == 3600

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        qb = QuickBooks(
            auth_client=auth, refresh_token=auth.refresh_token, company_id=realm_id, minorversion=75
        )
    qb.api_url_v3 = qbo_sandbox.api_url  # §8: the one override the client needs

    vendor = Vendor()
    vendor.DisplayName = "Northwind Paper"
    vendor = vendor.save(qb=qb)
    assert int(vendor.Id) > 0 and vendor.Active is True

    expense = Account.filter(Name="Office Expenses", qb=qb)[0]
    checking = Account.filter(Name="Checking", qb=qb)[0]
    assert expense.AccountType == "Expense" and checking.AccountSubType == "Checking"

    line = AccountBasedExpenseLine()
    line.Amount = 250.75
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = expense.to_ref()
    bill = Bill()
    bill.VendorRef = vendor.to_ref()
    bill.DocNumber = "NW-1001"
    bill.Line.append(line)
    bill = bill.save(qb=qb)
    assert (bill.TotalAmt, bill.Balance, bill.SyncToken) == (250.75, 250.75, "0")

    attachment = Attachable()
    link = AttachableRef()
    link.EntityRef = bill.to_ref()
    attachment.AttachableRef.append(link)
    attachment.FileName = "NW-1001.pdf"
    attachment.ContentType = "application/pdf"
    attachment._FileBytes = PDF
    attachment = attachment.save(qb=qb)
    assert attachment.Size == len(PDF) and attachment.FileName == "NW-1001.pdf"
    stored = Attachable.where(f"AttachableRef.EntityRef.value = '{bill.Id}'", qb=qb)
    assert [a.Id for a in stored] == [attachment.Id]

    payment = BillPayment()
    payment.PayType = "Check"
    payment.TotalAmt = 250.75
    payment.VendorRef = vendor.to_ref()
    payment.CheckPayment = CheckPayment()
    payment.CheckPayment.BankAccountRef = checking.to_ref()
    paid = BillPaymentLine()
    paid.Amount = 250.75
    paid.LinkedTxn.append(bill.to_linked_txn())
    payment.Line.append(paid)
    payment = payment.save(qb=qb)
    assert int(payment.Id) > 0 and payment.TotalAmt == 250.75

    read_back = Bill.get(bill.Id, qb=qb)
    assert read_back.Balance == 0 and read_back.SyncToken == "1"
    assert [(t.TxnId, t.TxnType) for t in read_back.LinkedTxn] == [(payment.Id, "BillPaymentCheck")]
