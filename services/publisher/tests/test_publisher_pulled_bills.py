"""Bills pulled from Xero in the via-Xero mode (ADR 0058): what a state of a bill tells
approval, and the bill read from Xero's JSON (no IO)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from countersign_contracts import LineAmountType
from countersign_publisher.domain.pulled_bills import Pull, Pulled, pull, submitted_bill

CONTACT = "5cc8cf28-567e-4d43-b287-687cfcaec47c"


def invoice(**changes: Any) -> dict[str, Any]:
    """An ACCPAY invoice as Xero answers it (and as ``observe`` keeps it: amounts as text)."""
    fields: dict[str, Any] = {
        "Type": "ACCPAY",
        "InvoiceID": "5cc8cf28-567e-4d43-b287-687cfcaec47d",
        "Status": "SUBMITTED",
        "Contact": {"ContactID": CONTACT, "Name": "Paper and Co Limited"},
        "InvoiceNumber": "SUP-1",
        "Date": "/Date(1777593600000+0000)/",
        "DueDate": "2026-05-31T00:00:00",
        "CurrencyCode": "GBP",
        "CurrencyRate": "1.000000",
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {
                "LineItemID": "0b0f4b8e-0e4c-4a43-9d3c-0d2b1e9f1a11",
                "Description": "Paper",
                "Quantity": "5.0000",
                "UnitAmount": "4.00",
                "AccountCode": "429",
                "TaxType": "INPUT2",
                "TaxAmount": "4.00",
                "LineAmount": "20.00",
                "Tracking": [{"Name": "Region", "Option": "North"}],
            }
        ],
        "SubTotal": "20.00",
        "TotalTax": "4.00",
        "Total": "24.00",
        "HasAttachments": True,
    }
    return {**fields, **changes}


def test_a_submitted_bill_reads_as_the_contracts_bill() -> None:
    bill = submitted_bill(invoice())

    assert (bill.supplier.xero_contact_id, bill.invoice_number) == (
        UUID(CONTACT),
        "SUP-1",
    )
    assert (str(bill.issue_date), str(bill.due_date), bill.exchange_rate) == (
        "2026-05-01",
        "2026-05-31",
        None,
    )
    assert bill.line_amount_type is LineAmountType.EXCLUSIVE
    [line] = bill.lines
    assert (line.account_code, line.tax_type, line.line_amount) == ("429", "INPUT2", Decimal("20"))
    assert [(t.category, t.option) for t in line.tracking] == [("Region", "North")]
    assert (bill.total, bill.has_attachments) == (Decimal("24.00"), True)


def test_a_line_xero_leaves_uncoded_is_pulled_for_review() -> None:
    line = {"Quantity": "1", "UnitAmount": "10", "LineAmount": "10", "TaxAmount": "0"}

    [pulled] = submitted_bill(invoice(LineItems=[line])).lines

    assert (pulled.description, pulled.account_code, pulled.tax_type) == ("", None, None)


@pytest.mark.parametrize("missing", ["Date", "LineItems"])
def test_a_bill_without_a_date_or_a_line_cannot_be_pulled(missing: str) -> None:
    with pytest.raises(ValueError):
        submitted_bill(invoice(**{missing: None}))


BILL = {"total": "24.00"}


@pytest.mark.parametrize(
    ("status", "via_xero", "last", "expected"),
    [
        ("SUBMITTED", True, None, Pull.TELL),
        ("SUBMITTED", True, Pulled(1, BILL, "SUBMITTED"), Pull.NONE),
        ("SUBMITTED", True, Pulled(1, {"total": "25.00"}, "SUBMITTED"), Pull.TELL),
        ("SUBMITTED", True, Pulled(1, BILL, "DRAFT"), Pull.TELL),
        ("SUBMITTED", False, None, Pull.NONE),
        ("DRAFT", True, None, Pull.NONE),
        ("AUTHORISED", True, None, Pull.NONE),
        ("AUTHORISED", True, Pulled(2, BILL, "SUBMITTED"), Pull.LEFT),
        ("DRAFT", False, Pulled(2, BILL, "SUBMITTED"), Pull.LEFT),
        ("DELETED", True, Pulled(2, BILL, "DRAFT"), Pull.NONE),
    ],
    ids=[
        "first-submitted",
        "same-bill-again",
        "edited-while-submitted",
        "submitted-again-after-draft",
        "direct-mode",
        "draft-never",
        "authorised-never-pulled",
        "left-submitted",
        "left-after-switching-back-to-direct",
        "left-already-told",
    ],
)
def test_what_a_state_of_a_bill_tells_approval(
    status: str, via_xero: bool, last: Pulled | None, expected: Pull
) -> None:
    assert pull(status, via_xero, BILL if status == "SUBMITTED" else None, last) is expected
