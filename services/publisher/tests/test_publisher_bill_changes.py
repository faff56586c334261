"""Changes after approval: a published bill as Xero has it (read into the ledger-neutral
``BillState``), against what was approved (mapped as it was sent). Each watched field is a
change; Countersign's own writes and Xero's bookkeeping are not; a difference is reported
once, and again when the bill changes further."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from countersign_harness.publisher_samples import sample_bill
from countersign_publisher.adapters.xero_mapping import xero_bill
from countersign_publisher.domain import bill_changes
from countersign_publisher.domain.bill_changes import BillState, Difference
from countersign_publisher.domain.xero_changes import stored_form
from countersign_publisher.handlers.bill_changes import approved_bill, xero_state

CONTACT = uuid.uuid4()
Approved = BillState


@pytest.fixture
def approved() -> Approved:
    return approved_bill(sample_bill("BC-1"), CONTACT)


def differences(approved: Approved, invoice: dict[str, Any]) -> list[Difference]:
    return bill_changes.differences(approved, xero_state(invoice))


def newly_different(
    approved: Approved, previous: dict[str, Any] | None, current: dict[str, Any]
) -> list[Difference]:
    before = None if previous is None else xero_state(previous)
    return bill_changes.newly_different(approved, before, xero_state(current))


def in_xero(approved: Approved, **changes: Any) -> dict[str, Any]:
    """The bill as Xero returns it once created, as kept: amounts as Xero writes them
    (126.6, not 126.60), its ids, totals and bookkeeping added."""
    invoice = stored_form(copy.deepcopy(xero_bill(sample_bill("BC-1"), CONTACT, url="")))
    invoice.update(
        InvoiceID=str(uuid.uuid4()),
        Contact={"ContactID": str(CONTACT), "Name": "Acme Office Supplies Ltd"},
        Total="126.6",
        SubTotal="105.5",
        AmountDue="126.6",
        AmountPaid="0",
        HasAttachments=False,
        UpdatedDateUTC="/Date(1762160000000+0000)/",
    )
    for line in invoice["LineItems"]:
        line["LineItemID"] = str(uuid.uuid4())
        line["LineAmount"] = "105.5"
        for tracking in line.get("Tracking", ()):
            tracking["TrackingCategoryID"] = str(uuid.uuid4())
    invoice.update(changes)
    return invoice


def line_with(invoice: dict[str, Any], **fields: Any) -> dict[str, Any]:
    lines = copy.deepcopy(invoice["LineItems"])
    lines[0].update(fields)
    return {**invoice, "LineItems": lines}


def test_the_bill_as_created_differs_in_nothing(approved: Approved) -> None:
    assert differences(approved, in_xero(approved)) == []


def test_each_watched_field_is_a_difference_named_with_approved_and_now(
    approved: Approved,
) -> None:
    other = {"ContactID": str(uuid.uuid4()), "Name": "Acme Office Supplies (new bank)"}
    assert differences(approved, in_xero(approved, Total="1126.60")) == [
        Difference("total", "126.60", "1126.60")
    ]
    assert differences(approved, in_xero(approved, Contact=other)) == [
        Difference("contact", "Acme Office Supplies Ltd", "Acme Office Supplies (new bank)")
    ]
    assert differences(approved, in_xero(approved, CurrencyCode="EUR")) == [
        Difference("currency", "GBP", "EUR")
    ]
    for status in ("VOIDED", "DELETED"):
        assert differences(approved, in_xero(approved, Status=status)) == [
            Difference("status", "AUTHORISED", status)
        ]
    base = in_xero(approved)
    tracking = [{"Name": "Region", "Option": "South"}]
    assert differences(approved, line_with(base, AccountCode="400")) == [
        Difference("lines[0].account_code", "429", "400")
    ]
    assert differences(approved, line_with(base, TaxType="NONE")) == [
        Difference("lines[0].tax_type", "INPUT2", "NONE")
    ]
    assert differences(approved, line_with(base, Tracking=tracking)) == [
        Difference("lines[0].tracking", "Region: North", "Region: South")
    ]
    assert differences(approved, line_with(base, LineAmount="99")) == [
        Difference("lines[0].line_amount", "105.50", "99.00")
    ]


def test_a_line_added_in_xero_is_a_difference_of_the_lines(approved: Approved) -> None:
    base = in_xero(approved)
    extra = {"Description": "Toner", "LineAmount": "40", "AccountCode": "429", "TaxType": "INPUT2"}
    assert differences(approved, {**base, "LineItems": [*base["LineItems"], extra]}) == [
        Difference("lines", "1", "2"),
        Difference("lines[1]", None, "Toner / 40.00 / 429 / INPUT2"),
    ]


def test_countersigns_own_writes_and_xeros_bookkeeping_are_no_change(
    approved: Approved,
) -> None:
    paid_with_files = in_xero(
        approved,
        Status="PAID",
        AmountPaid="126.6",
        AmountDue="0",
        HasAttachments=True,
        UpdatedDateUTC="/Date(1762170000000+0000)/",
        Url="https://dext.example/other",
    )
    # Case and Xero's own spelling of names and amounts do not matter either.
    renamed = line_with(paid_with_files, TaxType="input2", LineAmount="105.50")
    assert differences(approved, renamed) == []


def test_a_record_read_without_its_lines_tells_nothing_of_them(approved: Approved) -> None:
    summary = {k: v for k, v in in_xero(approved).items() if k != "LineItems"}
    assert differences(approved, summary) == []


def test_a_difference_is_reported_once_and_again_when_the_bill_changes_further(
    approved: Approved,
) -> None:
    created = in_xero(approved)
    edited = in_xero(approved, Total="1126.6")
    attached = in_xero(approved, Total="1126.6", HasAttachments=True)
    voided = in_xero(approved, Total="1126.6", Status="VOIDED")

    first = newly_different(approved, created, edited)
    assert first == [Difference("total", "126.60", "1126.60")]
    assert newly_different(approved, edited, attached) == []  # an unrelated update
    assert newly_different(approved, attached, voided) == [
        Difference("total", "126.60", "1126.60"),
        Difference("status", "AUTHORISED", "VOIDED"),
    ]
    assert newly_different(approved, created, created) == []


def test_a_bill_first_seen_already_changed_is_reported(approved: Approved) -> None:
    assert newly_different(approved, None, in_xero(approved, Total="1")) == [
        Difference("total", "126.60", "1.00")
    ]
    assert newly_different(approved, None, in_xero(approved)) == []
