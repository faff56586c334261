"""Which states of a bill in Xero are announced on ledger.bills.v1 (ADR 0056): any bill
(ACCPAY) but a voided or deleted one, when first seen and when a field ingest's duplicate rules
read moves; a void or delete removes one announced before; nothing else."""

from __future__ import annotations

import uuid
from typing import Any

from countersign_publisher.domain.ledger_bills import announcement


def invoice(**changes: Any) -> dict[str, Any]:
    """A bill as Xero returns it (and as kept): MS-JSON dates, amounts as decimal strings."""
    bill = {
        "Type": "ACCPAY",
        "InvoiceID": str(uuid.uuid4()),
        "InvoiceNumber": "RENT-1",
        "Contact": {"ContactID": str(uuid.uuid4()), "Name": "Northside Property Ltd"},
        "Date": "/Date(1796083200000+0000)/",
        "Status": "AUTHORISED",
        "Total": "1200.00",
        "CurrencyCode": "GBP",
        "Url": "",
        "UpdatedDateUTC": "/Date(1796090000000+0000)/",
    }
    return {**bill, **changes}


def test_a_bill_first_seen_is_recorded_whatever_its_status_and_date() -> None:
    for status in ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID"):
        found = announcement(None, invoice(Status=status, Date="/Date(946684800000+0000)/"))
        assert found is not None and (found.kind, found.bill.status) == ("recorded", status)


def test_a_sales_invoice_or_a_bill_voided_before_it_was_seen_is_not_announced() -> None:
    assert announcement(None, invoice(Type="ACCREC")) is None
    assert announcement(None, invoice(Status="VOIDED")) is None


def test_only_a_change_to_what_the_duplicate_rules_read_is_announced_again() -> None:
    before = invoice()
    paid_in_part = {**before, "AmountDue": "200.00", "UpdatedDateUTC": "/Date(1796099999000)/"}
    same_total_written_otherwise = {**before, "Total": "1200.0"}
    changes: list[dict[str, Any]] = [
        {"InvoiceNumber": "RENT-1A"},
        {"Contact": {**before["Contact"], "Name": "Northside Property Group"}},
        {"Date": "/Date(1796169600000+0000)/"},
        {"Total": "1250.00"},
        {"CurrencyCode": "EUR"},
        {"Status": "PAID"},
    ]

    assert announcement(before, paid_in_part) is None
    assert announcement(before, same_total_written_otherwise) is None
    for change in changes:
        found = announcement(before, {**before, **change})
        assert found is not None and found.kind == "recorded", change


def test_a_bill_announced_then_voided_or_deleted_is_removed_once() -> None:
    before = invoice(Status="DRAFT")
    for status in ("VOIDED", "DELETED"):
        gone = {**before, "Status": status}
        found = announcement(before, gone)
        assert found is not None and (found.kind, found.bill.status) == ("removed", status)
        assert announcement(gone, {**gone, "UpdatedDateUTC": "/Date(1796199999000)/"}) is None
