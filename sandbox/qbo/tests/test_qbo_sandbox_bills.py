"""Bills, vendors, payments and purchases: Intuit's rules and error codes."""

from __future__ import annotations

from typing import Any

from sandbox.qbo.tests.qbo_http import Company, bill, fault_code


def test_bill_create_computes_total_balance_due_date_and_metadata(
    company: Company, vendor: dict[str, Any]
) -> None:
    answer = company.post("bill", bill(company, vendor["Id"], TotalAmt=1, Balance=5))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    created = body["Bill"]
    assert (created["TotalAmt"], created["Balance"]) == (100.25, 100.25)
    assert created["SyncToken"] == "0" and isinstance(created["Id"], str)
    assert created["domain"] == "QBO" and created["sparse"] is False
    assert created["DueDate"] == "2026-05-01" and "CreateTime" in created["MetaData"]
    assert "time" in body
    assert company.get(f"bill/{created['Id']}").json()["Bill"]["TotalAmt"] == 100.25


def test_bill_without_vendor_or_lines_is_2020(company: Company, vendor: dict[str, Any]) -> None:
    no_vendor = bill(company, vendor["Id"])
    del no_vendor["VendorRef"]
    answer = company.post("bill", no_vendor)
    assert answer.status_code == 400 and fault_code(answer) == "2020"
    assert answer.json()["Fault"]["type"] == "ValidationFault"
    assert fault_code(company.post("bill", bill(company, vendor["Id"], Line=[]))) == "2020"


def test_bill_line_needs_an_expense_account(company: Company, vendor: dict[str, Any]) -> None:
    body = bill(company, vendor["Id"])
    body["Line"][0]["AccountBasedExpenseLineDetail"]["AccountRef"]["value"] = company.account(
        "Checking"
    )
    assert fault_code(company.post("bill", body)) == "6000"
    body["Line"][0]["AccountBasedExpenseLineDetail"]["AccountRef"]["value"] = company.account(
        "Old Expenses"
    )
    assert fault_code(company.post("bill", body)) == "610"


def test_bill_dated_on_or_before_the_close_is_6210(
    company: Company, vendor: dict[str, Any]
) -> None:
    assert (
        fault_code(company.post("bill", bill(company, vendor["Id"], TxnDate="2026-01-31")))
        == "6210"
    )


def test_doc_number_over_21_characters_is_refused(company: Company, vendor: dict[str, Any]) -> None:
    answer = company.post("bill", bill(company, vendor["Id"], DocNumber="X" * 22))
    assert answer.status_code == 400 and fault_code(answer) == "2050"


def test_stale_sync_token_is_5010_and_updates_bump_it(
    company: Company, vendor: dict[str, Any]
) -> None:
    created = company.post("bill", bill(company, vendor["Id"])).json()["Bill"]
    sparse = {"Id": created["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "checked"}
    updated = company.post("bill", sparse).json()["Bill"]
    assert updated["SyncToken"] == "1" and updated["PrivateNote"] == "checked"
    assert updated["DocNumber"] == "SUP-1"  # sparse keeps what was not sent
    assert fault_code(company.post("bill", sparse)) == "5010"
    full = {**bill(company, vendor["Id"]), "Id": created["Id"], "SyncToken": "1"}
    del full["DocNumber"]
    replaced = company.post("bill", full).json()["Bill"]
    assert "DocNumber" not in replaced and "PrivateNote" not in replaced  # a full update nulls them


def test_delete_answers_status_deleted_then_read_is_610(
    company: Company, vendor: dict[str, Any]
) -> None:
    created = company.post("bill", bill(company, vendor["Id"])).json()["Bill"]
    answer = company.post("bill", {"Id": created["Id"], "SyncToken": "0"}, operation="delete")
    assert answer.json()["Bill"] == {"status": "Deleted", "domain": "QBO", "Id": created["Id"]}
    assert fault_code(company.get(f"bill/{created['Id']}")) == "610"


def test_vendor_display_name_unique_and_clean(company: Company, vendor: dict[str, Any]) -> None:
    assert fault_code(company.post("vendor", {"DisplayName": "acme supplies"})) == "6240"
    assert fault_code(company.post("vendor", {"DisplayName": "Acme: North"})) == "6000"
    assert fault_code(company.post("vendor", {"CompanyName": "Nameless"})) == "2020"
    named = company.post("vendor", {"GivenName": "Ada", "FamilyName": "Lovelace"}).json()["Vendor"]
    assert named["DisplayName"] == "Ada Lovelace" and named["Active"] is True


def test_inactive_vendor_referenced_is_610(company: Company, vendor: dict[str, Any]) -> None:
    off = {"Id": vendor["Id"], "SyncToken": vendor["SyncToken"], "sparse": True, "Active": False}
    assert company.post("vendor", off).json()["Vendor"]["Active"] is False
    assert fault_code(company.post("bill", bill(company, vendor["Id"]))) == "610"


def test_bill_payment_check_pays_the_bill_down(company: Company, vendor: dict[str, Any]) -> None:
    created = company.post("bill", bill(company, vendor["Id"])).json()["Bill"]
    payment = {
        "VendorRef": {"value": vendor["Id"]},
        "PayType": "Check",
        "TotalAmt": 40.25,
        "CheckPayment": {"BankAccountRef": {"value": company.account("Checking")}},
        "Line": [{"Amount": 40.25, "LinkedTxn": [{"TxnId": created["Id"], "TxnType": "Bill"}]}],
    }
    paid = company.post("billpayment", payment).json()["BillPayment"]
    after = company.get(f"bill/{created['Id']}").json()["Bill"]
    assert after["Balance"] == 60 and after["SyncToken"] == "1"
    assert after["LinkedTxn"] == [{"TxnId": paid["Id"], "TxnType": "BillPaymentCheck"}]
    payment["Line"][0]["Amount"] = payment["TotalAmt"] = 60.01
    assert fault_code(company.post("billpayment", payment)) == "6000"  # more than the balance
    card = {**payment, "PayType": "CreditCard", "CheckPayment": None}
    assert fault_code(company.post("billpayment", card)) == "2020"  # no CCAccountRef
    company.post("billpayment", {"Id": paid["Id"], "SyncToken": "0"}, operation="delete")
    assert company.get(f"bill/{created['Id']}").json()["Bill"]["Balance"] == 100.25


def test_purchase_total_is_the_line_sum(company: Company, vendor: dict[str, Any]) -> None:
    lines = bill(company, vendor["Id"])["Line"]
    purchase = {
        "PaymentType": "CreditCard",
        "AccountRef": {"value": company.account("Visa")},
        "EntityRef": {"type": "Vendor", "value": vendor["Id"]},
        "Line": lines,
    }
    created = company.post("purchase", purchase).json()["Purchase"]
    assert created["TotalAmt"] == 100.25
    assert fault_code(company.post("purchase", {**purchase, "TotalAmt": 99})) == "6000"
    cash = {**purchase, "PaymentType": "Cash"}
    assert fault_code(company.post("purchase", cash)) == "6000"  # a card account for cash


def test_multicurrency_bill_needs_the_vendors_currency(client: Any) -> None:
    company = Company.create(
        client, {"country": "GB", "multicurrency": True, "currencies": ["EUR"]}
    )
    vendor = company.post(
        "vendor", {"DisplayName": "EU Parts", "CurrencyRef": {"value": "EUR"}}
    ).json()["Vendor"]
    body = bill(company, vendor["Id"], GlobalTaxCalculation="TaxExcluded")
    assert fault_code(company.post("bill", body)) == "2020"
    assert fault_code(company.post("bill", {**body, "CurrencyRef": {"value": "GBP"}})) == "6000"
    created = company.post("bill", {**body, "CurrencyRef": {"value": "EUR"}}).json()["Bill"]
    assert created["CurrencyRef"]["value"] == "EUR"
    del body["GlobalTaxCalculation"]
    assert fault_code(company.post("bill", {**body, "CurrencyRef": {"value": "EUR"}})) == "2020"


def test_non_us_tax_code_computes_the_tax(client: Any) -> None:
    company = Company.create(client, {"country": "GB"})
    vendor = company.post("vendor", {"DisplayName": "UK Paper"}).json()["Vendor"]
    codes = company.query("select * from TaxCode where Name = '20.0% S'").json()
    body = bill(company, vendor["Id"], GlobalTaxCalculation="TaxExcluded")
    body["Line"][0]["Amount"] = 100
    body["Line"][0]["AccountBasedExpenseLineDetail"]["TaxCodeRef"] = {
        "value": codes["QueryResponse"]["TaxCode"][0]["Id"]
    }
    created = company.post("bill", body).json()["Bill"]
    assert created["TxnTaxDetail"]["TotalTax"] == 20 and created["TotalAmt"] == 120
