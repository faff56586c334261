"""Bypass detection's rule (ADR 0055): a bill approved in Xero (ACCPAY, AUTHORISED or PAID)
dated on or after the start date is judged; Countersign's own bill is recognised by the
publication holding its id, or — while it does not yet — by the lookup key the publisher uses
before resending; the start date only moves earlier."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from countersign_platform.refusals import Invalid
from countersign_publisher.domain.bypass import (
    OutsideBill,
    PublicationMark,
    StartDateRefused,
    check_start_date,
    made_by,
    outside_bill,
    publication_marked,
    report_id,
    xero_date,
)
from countersign_publisher.domain.identifiers import marked_url

START = date(2026, 12, 1)
CONTACT = uuid.uuid4()
SOURCE = "https://dext.example/items/abc"


def invoice(**changes: Any) -> dict[str, Any]:
    """A bill as Xero returns it (and as kept): MS-JSON dates, amounts as decimal strings."""
    bill = {
        "Type": "ACCPAY",
        "InvoiceID": str(uuid.uuid4()),
        "InvoiceNumber": "RENT-1",
        "Contact": {"ContactID": str(CONTACT), "Name": "Northside Property Ltd"},
        "Date": "/Date(1796083200000+0000)/",  # 2026-12-01
        "DateString": "2026-12-01T00:00:00",
        "Status": "AUTHORISED",
        "Total": "1200.00",
        "CurrencyCode": "GBP",
        "Url": "",
        "UpdatedDateUTC": "/Date(1796090000000+0000)/",
    }
    bill.update(changes)
    return bill


def mark(bill: OutsideBill, **changes: Any) -> PublicationMark:
    publication_id = uuid.uuid4()
    values: dict[str, Any] = {
        "publication_id": publication_id,
        "xero_invoice_id": None,
        "invoice_number": bill.number,
        "xero_contact_id": bill.contact_id,
        "source_url": SOURCE,
    }
    values.update(changes)
    return PublicationMark(**values)


def test_an_approved_bill_on_or_after_the_start_date_is_judged() -> None:
    bill = outside_bill(invoice(), START)
    assert bill is not None
    assert (bill.number, bill.contact_name) == ("RENT-1", "Northside Property Ltd")
    assert bill.bill_date == START
    assert (bill.total, bill.currency, bill.status) == (Decimal("1200.00"), "GBP", "AUTHORISED")
    assert bill.repeating_invoice_id is None
    assert outside_bill(invoice(Status="PAID"), START) is not None


@pytest.mark.parametrize(
    "changes",
    [
        {"Type": "ACCREC"},  # a sales invoice
        {"Status": "DRAFT"},
        {"Status": "SUBMITTED"},  # awaiting approval in Xero: not approved yet
        {"Status": "VOIDED"},
        {"Status": "DELETED"},
        {"Date": "/Date(1795996800000+0000)/", "DateString": "2026-11-30T00:00:00"},  # before
    ],
    ids=["sales", "draft", "submitted", "voided", "deleted", "before-start"],
)
def test_anything_else_is_not_a_bypass(changes: dict[str, Any]) -> None:
    assert outside_bill(invoice(**changes), START) is None


def test_xeros_dates_are_read_in_either_form() -> None:
    assert xero_date("/Date(1796083200000+0000)/") == START
    assert xero_date("2026-12-01T00:00:00") == START
    assert xero_date(None) is None and xero_date("soon") is None


def test_a_repeating_bill_names_its_template() -> None:
    template = uuid.uuid4()
    bill = outside_bill(invoice(RepeatingInvoiceID=str(template)), START)
    assert bill is not None and bill.repeating_invoice_id == template
    none = outside_bill(invoice(RepeatingInvoiceID="00000000-0000-0000-0000-000000000000"), START)
    assert none is not None and none.repeating_invoice_id is None


def test_our_bill_is_the_one_its_publication_holds() -> None:
    bill = outside_bill(invoice(), START)
    assert bill is not None
    assert made_by(bill, mark(bill, xero_invoice_id=bill.invoice_id))
    assert not made_by(bill, mark(bill, xero_invoice_id=uuid.uuid4()))


def test_before_its_id_is_stored_our_bill_is_found_by_the_lookup_key() -> None:
    """The answer to the create was lost after Xero committed: the publication holds no id,
    and the bill carries its marked Url, InvoiceNumber and ContactID."""
    publication_id = uuid.uuid4()
    url = marked_url(SOURCE, publication_id)
    bill = outside_bill(invoice(Url=url), START)
    assert bill is not None
    assert publication_marked(bill.url) == publication_id
    ours = mark(bill, publication_id=publication_id)
    assert made_by(bill, ours)
    # Any part of the key that differs: not the bill that publication would find.
    assert not made_by(bill, mark(bill, publication_id=publication_id, invoice_number="X"))
    assert not made_by(bill, mark(bill, publication_id=publication_id, xero_contact_id=None))
    assert not made_by(bill, mark(bill, publication_id=publication_id, source_url="https://a"))
    # A second bill with our marker while the publication holds its own: a copy made in Xero.
    copied = mark(bill, publication_id=publication_id, xero_invoice_id=uuid.uuid4())
    assert not made_by(bill, copied)


def test_a_url_without_our_marker_names_no_publication() -> None:
    assert publication_marked("") is None
    assert publication_marked("https://dext.example/items/abc#page=2") is None


def test_one_report_id_per_organisation_and_bill() -> None:
    org, bill = uuid.uuid4(), uuid.uuid4()
    assert report_id(org, bill) == report_id(org, bill)
    assert report_id(org, bill) != report_id(uuid.uuid4(), bill)


def test_the_start_date_is_never_in_the_future_and_only_moves_earlier() -> None:
    today = date(2026, 12, 6)
    check_start_date(date(2026, 1, 1), START, today)  # earlier: fine
    check_start_date(date(2026, 12, 1), None, today)  # never connected: any past day
    for wanted, current, rule in (
        (date(2026, 12, 7), None, "not_in_future"),
        (date(2026, 12, 2), START, "only_earlier"),
    ):
        with pytest.raises(StartDateRefused) as refused:
            check_start_date(wanted, current, today)
        assert isinstance(refused.value, Invalid)
        (error,) = refused.value.errors
        assert (error.field, error.rule) == ("bypass_detection_from", rule)
