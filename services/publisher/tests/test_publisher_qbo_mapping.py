"""The QBO adapter's pure parts: bills, payments and purchases as QBO's JSON, the codes Dext
uses, requestids and query literals, and QBO's answers read back as the port's values."""

from decimal import Decimal
from uuid import uuid4

import pytest
from countersign_contracts import (
    BankAccount,
    Ledger,
    LineAmountType,
    TrackingSelection,
    ledger_uuid,
)
from countersign_harness.publisher_samples import bank_item, sample_bill
from countersign_publisher.adapters.qbo_client import query_text, request_id
from countersign_publisher.adapters.qbo_errors import QboRefused
from countersign_publisher.adapters.qbo_mapping import (
    QboCompany,
    account_code,
    qbo_bill,
    qbo_bill_payment,
    qbo_contact_name,
    qbo_file_name,
    qbo_purchase,
    qbo_uuid,
)
from countersign_publisher.adapters.qbo_reading import (
    bill_status,
    marker_of,
    notes_of,
    read_batch_item,
    supplier_synced,
    with_notes,
)
from countersign_publisher.ledger.values import LedgerBill, Refusal

ACCOUNTS = [
    {"Id": "7", "AcctNum": "6100", "Name": "Office", "AccountType": "Expense"},
    {"Id": "8", "Name": "Travel", "AccountType": "Expense"},
    {"Id": "1", "Name": "Checking", "AccountType": "Bank"},
    {"Id": "3", "Name": "Visa", "AccountType": "Credit Card"},
]


ORG = uuid4()


def _company(us: bool = False, multicurrency: bool = False) -> QboCompany:
    return QboCompany(
        organisation_id=ORG,
        us=us,
        multicurrency=multicurrency,
        accounts={account_code(a): a for a in ACCOUNTS},
        classes={"operations": {"Id": "20", "Name": "Operations"}},
        departments={"north": {"Id": "30", "Name": "North"}},
    )


def _bill(**changes: object):  # type: ignore[no-untyped-def]
    bill = sample_bill("INV-" + "9" * 30, account_code="6100", tax_type="5", paid_from="1")
    tracking = [
        TrackingSelection(category="class", option="Operations"),
        TrackingSelection(category="Department", option="north"),
    ]
    lines = [line.model_copy(update={"tracking": tracking}) for line in bill.lines]
    return bill.model_copy(update={"lines": lines, **changes})


def test_a_bill_names_accounts_by_acctnum_and_tracking_as_class_and_department() -> None:
    payload = qbo_bill(_company(), _bill(), "56", "https://dext.example/1#m")
    assert payload["VendorRef"] == {"value": "56"} and payload["DocNumber"] == "INV-" + "9" * 17
    assert payload["GlobalTaxCalculation"] == "TaxExcluded" and "CurrencyRef" not in payload
    assert payload["DepartmentRef"] == {"value": "30"}
    assert payload["PrivateNote"] == "https://dext.example/1#m"
    [line] = payload["Line"]
    assert line["Amount"] == Decimal("105.50")
    assert line["AccountBasedExpenseLineDetail"] == {
        "AccountRef": {"value": "7"},
        "TaxCodeRef": {"value": "5"},
        "BillableStatus": "NotBillable",
        "ClassRef": {"value": "20"},
    }


def test_a_us_bill_has_no_tax_calculation_and_a_multicurrency_one_its_currency() -> None:
    inclusive = _bill(line_amount_type=LineAmountType.INCLUSIVE)
    us = qbo_bill(_company(us=True), inclusive, "56", "m")
    assert "GlobalTaxCalculation" not in us
    assert "TaxInclusiveAmt" not in us["Line"][0]["AccountBasedExpenseLineDetail"]
    abroad = qbo_bill(_company(multicurrency=True), inclusive, "56", "m")
    assert abroad["GlobalTaxCalculation"] == "TaxInclusive"
    assert abroad["CurrencyRef"] == {"value": "GBP"}
    detail = abroad["Line"][0]["AccountBasedExpenseLineDetail"]
    assert detail["TaxInclusiveAmt"] == Decimal("105.50")


def test_coding_the_company_lacks_is_refused_with_what_is_missing() -> None:
    with pytest.raises(QboRefused, match="no account 429"):
        qbo_bill(_company(), sample_bill(account_code="429"), "56", "m")
    bill = _bill()
    lines = [
        line.model_copy(update={"tracking": [TrackingSelection(category="Class", option="X")]})
        for line in bill.lines
    ]
    with pytest.raises(QboRefused, match="no class X"):
        qbo_bill(_company(), bill.model_copy(update={"lines": lines}), "56", "m")


def test_a_payment_pays_the_balance_by_check_or_card_from_the_named_account() -> None:
    record = {"Id": "40", "VendorRef": {"value": "56"}, "TotalAmt": 126.6, "Balance": 26.6}
    check = qbo_bill_payment(_company(), _bill(), record)
    assert check["PayType"] == "Check" and check["TotalAmt"] == Decimal("26.6")
    assert check["CheckPayment"]["BankAccountRef"] == {"value": "1"}
    assert check["Line"] == [
        {"Amount": Decimal("26.6"), "LinkedTxn": [{"TxnId": "40", "TxnType": "Bill"}]}
    ]
    by_card = _bill(payment=_bill().payment.model_copy(update={"account": BankAccount(code="3")}))
    card = qbo_bill_payment(_company(), by_card, record)
    assert card["PayType"] == "CreditCard" and card["CreditCardPayment"] == {
        "CCAccountRef": {"value": "3"}
    }
    by_uuid = BankAccount(account_id=qbo_uuid(ORG, "account", "3"))
    paid = _bill(payment=_bill().payment.model_copy(update={"account": by_uuid}))
    assert qbo_bill_payment(_company(), paid, record)["PayType"] == "CreditCard"
    wrong = _bill(payment=_bill().payment.model_copy(update={"account": BankAccount(code="8")}))
    with pytest.raises(QboRefused, match="not a bank or credit card account"):
        qbo_bill_payment(_company(), wrong, record)


def test_an_expense_is_a_cash_or_card_purchase_carrying_the_marker() -> None:
    item = bank_item("R-1", bank_code="1")
    lines = [line.model_copy(update={"account_code": "8", "tracking": []}) for line in item.lines]
    cash = qbo_purchase(_company(), item.model_copy(update={"lines": lines}), "56", "mark")
    assert (cash["PaymentType"], cash["AccountRef"]) == ("Cash", {"value": "1"})
    assert cash["EntityRef"] == {"type": "Vendor", "value": "56"} and cash["PrivateNote"] == "mark"
    assert cash["DocNumber"] == "R-1" and "DepartmentRef" not in cash
    card = item.model_copy(update={"lines": lines, "bank_account": BankAccount(code="3")})
    assert qbo_purchase(_company(), card, "56", "mark")["PaymentType"] == "CreditCard"


def test_names_keys_and_literals_are_made_fit_for_qbo() -> None:
    assert qbo_contact_name(" Smith: Sons\tLtd\n") == "Smith  Sons Ltd"
    assert qbo_file_name("a/b:c?.pdf") == "a_b_c_.pdf"
    assert request_id("cs-short-key") == "cs-short-key"
    long_key = "cs-" + "x" * 80
    assert len(request_id(long_key)) == 50 and request_id(long_key) == request_id(long_key)
    assert len(request_id(long_key, 36)) == 36 and request_id("cs-a b") != "cs-a b"
    assert query_text("O'Brien \\ Co") == "'O\\'Brien \\\\ Co'"


def test_a_bill_is_open_until_its_balance_is_nothing() -> None:
    assert bill_status({"TotalAmt": 10, "Balance": 10}) == "AUTHORISED"
    assert bill_status({"TotalAmt": 10, "Balance": 4}) == "AUTHORISED"
    assert bill_status({"TotalAmt": 10, "Balance": 0}) == "PAID"
    assert bill_status({"status": "Deleted", "Id": "4"}) == "DELETED"


def test_the_private_note_holds_the_marker_then_the_notes() -> None:
    note = with_notes("https://dext.example/1#m", ["Approved by\nPriya", "Paid"])
    assert marker_of(note) == "https://dext.example/1#m"
    assert notes_of(note) == ["Approved by Priya", "Paid"]
    assert notes_of("just the marker") == [] and marker_of(None) is None


def test_notes_too_long_for_the_memo_keep_their_first_words_and_fit() -> None:
    marker = "https://dext.example/costs/long#m"
    long = [f"Approved by Ann: {'why ' * 600}", "Paid", f"Reviewed by Rex: {'ok ' * 900}"]

    note = with_notes(marker, long)

    assert len(note) <= 4000 and marker_of(note) == marker
    first, paid, last = notes_of(note)
    assert first.endswith("…") and first.startswith("Approved by Ann: why why")
    assert last.endswith("…") and last.startswith("Reviewed by Rex: ok ok")
    assert paid == "Paid"  # short enough: kept whole


def test_a_batch_item_is_a_bill_or_the_refusal_of_its_fault() -> None:
    fault = {
        "bId": "2",
        "Fault": {
            "Error": [{"Message": "Invalid Reference Id", "Detail": "Vendor 9", "code": "2500"}],
            "type": "ValidationFault",
        },
    }
    assert read_batch_item(fault) == Refusal(["Invalid Reference Id: Vendor 9"])
    bill = {"Id": "5", "TotalAmt": 3, "Balance": 3, "PrivateNote": "m\nnote", "DocNumber": "I"}
    read = read_batch_item({"bId": "1", "Bill": bill})
    assert isinstance(read, LedgerBill) and (read.bill_id, read.marker) == ("5", "m")


def test_a_vendor_is_a_supplier_named_by_a_stand_in_uuid_and_its_id() -> None:
    vendor = {
        "Id": "56",
        "DisplayName": "Acme",
        "Active": False,
        "AcctNum": "A-1",
        "CurrencyRef": {"value": "GBP"},
        "MetaData": {"LastUpdatedTime": "2026-11-02T10:00:00-08:00"},
    }
    synced = supplier_synced(ORG, vendor)
    # The stand-in the bill's events carry for the same vendor (ADR 0068).
    assert synced.xero_contact_id == ledger_uuid(Ledger.QBO, ORG, "contact", "56")
    assert (synced.ledger_contact_id, synced.status, synced.contact_number) == (
        "56",
        "ARCHIVED",
        "A-1",
    )
    assert synced.xero_updated_at.isoformat() == "2026-11-02T18:00:00+00:00"
