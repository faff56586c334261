"""The rules a publication must keep, and what a checked one becomes (no IO)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from countersign_contracts import DocumentMetadata
from countersign_ingest.domain.bills import to_bill
from countersign_ingest.domain.metadata import CostItemMetadata
from countersign_ingest.domain.rules import cost_item_violations
from pydantic import ValidationError

TODAY = date(2026, 11, 26)


def meta(**changes: Any) -> CostItemMetadata:
    base: dict[str, Any] = {
        "dext_item_id": "d-1",
        "document_type": "invoice",
        "supplier": {"name": "Acme Ltd"},
        "document_reference": "INV-1",
        "issue_date": "2026-11-20",
        "due_date": "2026-12-20",
        "currency": "GBP",
        "line_amount_type": "exclusive",
        "lines": [
            {
                "description": "Paper",
                "quantity": "3",
                "unit_amount": "3.333",
                "account_code": "429",
                "tax_type": "INPUT2",
                "tax_amount": "2.00",
                "line_amount": "10.00",
            }
        ],
        "subtotal": "10.00",
        "total_tax": "2.00",
        "total": "12.00",
        "requester": {"user_id": "u", "name": "Dana Reyes", "email": "dana@example.com"},
        "source_url": "https://dext.example/costs/d-1",
    }
    base.update(changes)
    return CostItemMetadata.model_validate(base)


def rules(item: CostItemMetadata) -> set[tuple[str, str]]:
    return {(v.field, v.rule) for v in cost_item_violations(item, TODAY)}


def test_a_consistent_invoice_breaks_no_rule() -> None:
    assert rules(meta()) == set()


def test_a_line_amount_is_quantity_times_unit_amount_rounded_half_up() -> None:
    assert rules(meta()) == set()  # 3 x 3.333 = 9.999 -> 10.00
    broken = meta(lines=[{**meta().lines[0].model_dump(mode="json"), "line_amount": "9.99"}])
    assert ("metadata.lines[0].line_amount", "line_amount_is_quantity_times_unit_amount") in rules(
        broken
    )


def test_inclusive_amounts_carry_their_tax_inside_the_lines() -> None:
    inclusive = meta(line_amount_type="inclusive", subtotal="8.00", total="10.00")
    assert rules(inclusive) == set()
    assert ("metadata.subtotal", "subtotal_is_sum_of_lines") in rules(
        meta(line_amount_type="inclusive")
    )


@pytest.mark.parametrize(
    ("document_type", "rule"),
    [
        ("credit_note", "credit_notes_not_supported"),
        ("refund", "credit_notes_not_supported"),
        ("sales_invoice", "unsupported_document_type"),
    ],
)
def test_types_dext_cannot_publish_as_a_bill_are_refused(document_type: str, rule: str) -> None:
    assert ("metadata.document_type", rule) in rules(meta(document_type=document_type))


def test_a_credit_note_refusal_says_the_direct_integration_does_not_support_it() -> None:
    [violation] = [
        v
        for v in cost_item_violations(meta(document_type="credit_note"), TODAY)
        if v.rule == "credit_notes_not_supported"
    ]
    assert "not supported by the direct Dext integration" in violation.message


def test_a_receipt_is_due_on_its_issue_date_and_gets_a_generated_number() -> None:
    receipt = meta(document_type="receipt", due_date=None, document_reference=None)
    assert rules(receipt) == set()
    bill = to_bill(receipt, document())
    assert bill.due_date == bill.issue_date == date(2026, 11, 20)
    assert bill.document_reference == "DEXT-d-1"


def test_an_expense_report_is_billed_from_the_requester() -> None:
    report = meta(document_type="expense_report", supplier=None, due_date=None)
    assert rules(report) == set()
    assert to_bill(report, document()).supplier.name == "Dana Reyes - Expense report"


def test_dates_must_be_possible() -> None:
    assert ("metadata.due_date", "due_not_before_issue") in rules(meta(due_date="2026-11-19"))
    far = (TODAY + timedelta(days=400)).isoformat()
    assert ("metadata.issue_date", "plausible_date") in rules(meta(issue_date=far, due_date=far))


def test_a_payment_is_made_on_or_after_the_day_the_bill_was_issued() -> None:
    def paid_on(day: str) -> CostItemMetadata:
        return meta(payment={"paid": True, "account": {"code": "090"}, "paid_on": day})

    assert rules(paid_on("2026-11-20")) == set()  # the issue date itself
    assert rules(paid_on("2026-11-19")) == {
        ("metadata.payment.paid_on", "paid_on_not_before_issue")
    }


def test_control_characters_are_refused_except_line_breaks_in_free_text() -> None:
    line = {**meta().lines[0].model_dump(mode="json"), "description": "two\nlines"}
    assert meta(lines=[line]).lines[0].description == "two\nlines"

    with pytest.raises(ValidationError) as refused:
        meta(supplier={"name": "a\u0085b"}, lines=[{**line, "account_code": "4\x00"}])

    assert {(error["loc"], error["type"]) for error in refused.value.errors()} == {
        (("supplier", "name"), "control_characters"),
        (("lines", 0, "account_code"), "control_characters"),
    }


def document() -> DocumentMetadata:
    return DocumentMetadata(
        document_id=uuid.uuid4(),
        file_name="a.pdf",
        media_type="application/pdf",
        size_bytes=10,
        sha256="0" * 64,
    )


def test_amounts_stay_decimal() -> None:
    assert to_bill(meta(), document()).total == Decimal("12.00")
