import uuid
from decimal import Decimal

from countersign_contracts import LineItem
from countersign_harness.publisher_samples import bank_item, sample_bill
from countersign_platform import decimal_json
from countersign_publisher.adapters.xero_mapping import (
    xero_bank_transaction,
    xero_bill,
    xero_contact_name,
    xero_payment,
)


def test_a_bill_becomes_an_authorised_accpay_invoice_linked_to_its_source() -> None:
    contact = uuid.uuid4()
    invoice = xero_bill(sample_bill("INV-9"), contact, "https://dext.example/items/INV-9#m")
    assert invoice["Type"] == "ACCPAY" and invoice["Status"] == "AUTHORISED"
    assert invoice["Contact"] == {"ContactID": str(contact)}
    assert invoice["InvoiceNumber"] == "INV-9"
    assert invoice["Url"] == "https://dext.example/items/INV-9#m"
    assert invoice["Date"] == "2026-11-02" and invoice["LineAmountTypes"] == "Exclusive"
    (line,) = invoice["LineItems"]
    assert line["AccountCode"] == "429" and line["TaxType"] == "INPUT2"
    assert line["LineAmount"] == 105.5 and line["Tracking"] == [
        {"Name": "Region", "Option": "North"}
    ]


def test_a_paid_bill_pays_its_total_from_the_chosen_account_on_the_paid_date() -> None:
    invoice_id = uuid.uuid4()
    payment = xero_payment(sample_bill("INV-10", paid_from="090"), invoice_id)
    assert payment == {
        "Invoice": {"InvoiceID": str(invoice_id)},
        "Account": {"Code": "090"},
        "Date": "2026-11-05",
        "Amount": Decimal("126.60"),
    }


def test_a_bank_item_becomes_a_spend_from_its_bank_account() -> None:
    spend = xero_bank_transaction(bank_item("R-1"), uuid.uuid4(), "https://x.example/#m")
    assert spend["Type"] == "SPEND" and spend["BankAccount"] == {"Code": "090"}
    assert spend["Reference"] == "R-1"


def test_amounts_reach_xero_as_the_exact_numbers_approved() -> None:
    bill = sample_bill("INV-11")
    line = LineItem.model_validate(
        {
            **bill.lines[0].model_dump(),
            "quantity": "3",
            "unit_amount": "0.333",
            "tax_amount": "0.15",
            "line_amount": "1.00",
        }
    )
    bill = bill.model_copy(update={"lines": [line], "exchange_rate": Decimal("0.612345")})

    body = decimal_json.dumps(xero_bill(bill, uuid.uuid4(), "https://dext.example/i#m")).decode()

    assert '"Quantity":3,"UnitAmount":0.333,' in body
    assert '"TaxAmount":0.15,"LineAmount":1.00' in body
    assert '"CurrencyRate":0.612345' in body


def test_a_contact_name_is_looked_up_as_xero_stores_it() -> None:
    assert xero_contact_name("  Trailing Co ") == "Trailing Co"
    assert xero_contact_name("Zoë Ltd") == "Zoë Ltd"
