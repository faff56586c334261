"""A bill pulled from Xero as the item version a request is opened for (ADR 0058; no IO)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from countersign_approval.domain.pulled_bills import pulled_version
from countersign_contracts import (
    BillSubmittedInXero,
    ChangeSeenBy,
    LineAmountType,
    Supplier,
    XeroBill,
    XeroBillLine,
)

from services.approval.tests.approval_builders import person

INVOICE, CONTACT = uuid.uuid4(), uuid.uuid4()
FINANCE = person("finance")


def pulled(version: int = 1, **bill: Any) -> BillSubmittedInXero:
    line = XeroBillLine(description="Rent", quantity=Decimal("1"), unit_amount=Decimal("10.00"),
                        account_code="429", tax_type="INPUT2", tax_amount=Decimal("2.00"),
                        line_amount=Decimal("10.00"))  # fmt: skip
    fields: dict[str, Any] = {
        "supplier": Supplier(name="Northside", xero_contact_id=CONTACT),
        "invoice_number": "RENT-7", "issue_date": date(2026, 12, 1), "currency": "GBP",
        "line_amount_type": LineAmountType.EXCLUSIVE, "lines": [line],
        "subtotal": Decimal("10.00"), "total_tax": Decimal("2.00"), "total": Decimal("12.00"),
        "has_attachments": False,
    }  # fmt: skip
    return BillSubmittedInXero(xero_invoice_id=INVOICE, xero_updated_at=datetime.now(UTC),
                               seen_by=ChangeSeenBy.WEBHOOK, version=version,
                               bill=XeroBill(**{**fields, **bill}))  # fmt: skip


def test_a_pulled_bill_is_an_item_version_owned_by_the_requester() -> None:
    version = pulled_version(pulled(version=2), FINANCE)

    assert (version.dext_item_id, version.version, version.supersedes_version) == (
        f"xero:{INVOICE}",
        2,
        1,
    )
    bill = version.bill
    assert (bill.requester.email, bill.payment.paid) == (FINANCE.email, False)
    assert (bill.due_date, bill.document_reference) == (date(2026, 12, 1), "RENT-7")
    assert bill.document.document_id == INVOICE
    assert bill.source_url.endswith(str(INVOICE))


def test_a_bill_without_a_number_goes_by_its_invoice_id() -> None:
    bill = pulled_version(pulled(invoice_number=None), FINANCE).bill

    assert bill.document_reference == str(INVOICE)


def test_the_document_digest_follows_the_state_pulled() -> None:
    first = pulled_version(pulled(), FINANCE).bill.document.sha256
    again = pulled_version(pulled(), FINANCE).bill.document.sha256
    other = pulled_version(pulled(invoice_number="RENT-8"), FINANCE).bill.document.sha256

    assert first == again != other


def test_an_uncoded_line_cannot_be_approved_as_pulled() -> None:
    line = XeroBillLine(quantity=Decimal("1"), unit_amount=Decimal("10.00"),
                        tax_amount=Decimal("0.00"), line_amount=Decimal("10.00"))  # fmt: skip

    with pytest.raises(ValueError, match="account or tax type"):
        pulled_version(pulled(lines=[line]), FINANCE)
