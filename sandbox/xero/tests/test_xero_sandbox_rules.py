"""The Xero sandbox's pure rules, without HTTP: the ``where`` language, Xero's date formats and
the rate-limit windows on the sandbox clock, contact names, batches, invoice statuses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from countersign_xero_sandbox.batches import Element, settle
from countersign_xero_sandbox.clock import SandboxClock
from countersign_xero_sandbox.dates import format_date, parse_date, parse_datetime
from countersign_xero_sandbox.documents import PendingContacts
from countersign_xero_sandbox.invoices import INVALID_STATUS, prepare_invoice
from countersign_xero_sandbox.limits import LimitConfig, RateLimiter
from countersign_xero_sandbox.model import Record, Tenant, contact_name, name_key
from countersign_xero_sandbox.payments import prepare_payment
from countersign_xero_sandbox.query import QueryError, page_of, parse_where
from countersign_xero_sandbox.tenancy import build_tenant

CONTACT_ID = "b6135116-2e30-4f8d-8142-4a9de5da181c"
OTHER_ID = "0b2b85e3-927d-4d48-8db3-116ceb11cf44"  # fixed: test ids alike in every process
BILL = {
    "Type": "ACCPAY",
    "Status": "AUTHORISED",
    "InvoiceNumber": "SUP-12",
    "Reference": "",
    "Contact": {"ContactID": CONTACT_ID, "Name": "Acme Ltd"},
    "Date": date(2026, 5, 1),
    "AmountDue": Decimal("120.00"),
    "UpdatedDateUTC": datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
}


@pytest.mark.parametrize(
    ("where", "matches"),
    [
        ('Type=="ACCPAY"', True),
        ('Type == "ACCREC"', False),
        (f'Type=="ACCPAY" AND Contact.ContactID==guid("{CONTACT_ID}")', True),
        (
            'Type=="ACCPAY" && Contact.ContactID==guid("0b2b85e3-927d-4d48-8db3-116ceb11cf44")',
            False,
        ),
        ('Status=="DRAFT" OR InvoiceNumber=="SUP-12"', True),
        ('(Status=="DRAFT" || Status=="SUBMITTED") AND Type=="ACCPAY"', False),
        ('contact.name=="acme ltd"', True),
        ('Contact.Name.StartsWith("Ac")', True),
        ('Contact.Name.Contains("zzz")', False),
        ("Date >= DateTime(2026, 05, 01)", True),
        ("Date > DateTime(2026, 05, 01)", False),
        ("UpdatedDateUTC < DateTime(2026, 05, 01, 13, 00, 00)", True),
        ("AmountDue > 100", True),
        ("Reference != null", True),
    ],
)
def test_xero_sandbox_where_language(where: str, matches: bool) -> None:
    assert parse_where(where)(BILL) is matches


@pytest.mark.parametrize("broken", ['Type=="ACCPAY" AND', 'Type="ACCPAY"', "Type==", "(Type"])
def test_xero_sandbox_where_refuses_what_it_cannot_read(broken: str) -> None:
    with pytest.raises(QueryError):
        parse_where(broken)


@pytest.mark.parametrize(
    ("stored", "where"),
    [
        ("Zoë Ltd", 'Name=="Zoë Ltd"'),
        ("Zoë Ltd", 'Name=="ZOË LTD"'),
        ("株式会社テスト", 'Name=="株式会社テスト"'),
        ("Café ☕ 🎉 Ltd", 'Name=="Café ☕ 🎉 Ltd"'),
        ("Café ☕ 🎉 Ltd", 'Name.Contains("🎉")'),
        ('Say "Hi" Ltd', 'Name=="Say ""Hi"" Ltd"'),
        ('"Quoted"', 'Name=="""Quoted"""'),
        ("C:\\new\\tab", 'Name=="C:\\new\\tab"'),
        ("Back\\slash", 'Name.EndsWith("\\slash")'),
        ("Tab\\t Ltd", 'Name=="Tab\\t Ltd"'),
    ],
)
def test_xero_sandbox_where_string_literals_keep_their_text(stored: str, where: str) -> None:
    assert parse_where(where)({"Name": stored}) is True


def test_xero_sandbox_where_text_differs_from_a_near_miss() -> None:
    assert parse_where('Name=="Zoe Ltd"')({"Name": "Zoë Ltd"}) is False
    assert parse_where('Name=="Trailing Co "')({"Name": "Trailing Co"}) is False


@pytest.mark.parametrize(
    ("where", "message"),
    [
        # A backslash escapes nothing in Xero: the literal ends at the second quote.
        ('Name=="Say \\"Hi\\" Ltd"', "cannot read|unexpected"),
        ('Name=="Open', "Unterminated string literal"),
        ("Name=='Acme'", "Character literal must contain exactly one character"),
        ("Name=='A'", "character literal"),
    ],
)
def test_xero_sandbox_where_refuses_literals_xero_cannot_read(where: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_where(where)


def test_xero_sandbox_paging_counts_pages() -> None:
    records = [{"n": n} for n in range(5)]
    page, block = page_of(records, "3", "2")
    assert page == [{"n": 4}]
    assert block == {"page": 3, "pageSize": 2, "pageCount": 3, "itemCount": 5}
    assert page_of(records, None, None) == (records, None)
    with pytest.raises(QueryError):
        page_of(records, "1", "1001")


def test_xero_sandbox_dates_in_and_out() -> None:
    assert parse_date("/Date(1777593600000)/") == date(2026, 5, 1)
    assert parse_date("/Date(1777593600000+0000)/") == date(2026, 5, 1)
    assert parse_date("2026-05-01") == date(2026, 5, 1)
    assert parse_date("2021-10-18T00:00:00+11:00") == date(2021, 10, 18)
    assert format_date(date(2026, 5, 1)) == "/Date(1777593600000+0000)/"
    assert parse_datetime("Fri, 01 May 2026 12:00:00 GMT") == datetime(2026, 5, 1, 12, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_date("May the first")


def test_xero_sandbox_minute_window_slides_on_the_sandbox_clock() -> None:
    clock = SandboxClock(scale=1.0)
    limiter = RateLimiter(clock, LimitConfig(minute=2, day=10, concurrent=5, app_minute=100))
    for _ in range(2):
        assert limiter.admit("t", "app").problem is None
        limiter.release("t")
    refused = limiter.admit("t", "app")
    assert (refused.problem, refused.headers["X-MinLimit-Remaining"]) == ("minute", "0")
    assert refused.retry_after is not None and 1 <= refused.retry_after <= 60
    clock.advance(61)
    admitted = limiter.admit("t", "app")
    assert admitted.problem is None
    assert admitted.headers["X-MinLimit-Remaining"] == "1"
    assert admitted.headers["X-DayLimit-Remaining"] == "7"


def test_xero_sandbox_day_window_resets_after_a_sandbox_day() -> None:
    clock = SandboxClock(scale=1.0)
    limiter = RateLimiter(clock, LimitConfig(minute=100, day=1))
    assert limiter.admit("t", "app").problem is None
    limiter.release("t")
    refused = limiter.admit("t", "app")
    assert refused.problem == "day"
    assert refused.retry_after is not None and refused.retry_after > 86000
    clock.advance(86400)
    assert limiter.admit("t", "app").problem is None


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("  Trailing Co  ", "Trailing Co"),
        ("\tTabbed Ltd\n", "Tabbed Ltd"),
        ("\u00a0Non-breaking Ltd\u00a0", "Non-breaking Ltd"),
        ("Inner  Spaces Ltd", "Inner  Spaces Ltd"),
        ("Zoë Ltd ", "Zoë Ltd"),
        (None, ""),
    ],
)
def test_xero_sandbox_contact_names_are_trimmed(sent: str | None, stored: str) -> None:
    assert contact_name(sent) == stored


def test_xero_sandbox_contact_names_compare_trimmed_and_case_insensitively() -> None:
    assert name_key("  ACME Ltd ") == name_key("acme ltd")
    assert name_key("ZOË LTD") == name_key("zoë ltd")
    assert name_key("Acme Ltd") != name_key("Acme  Ltd")
    assert name_key("   ") == ""


@pytest.mark.parametrize("summarize", [True, False])
def test_xero_sandbox_a_batch_stores_its_valid_elements_either_way(summarize: bool) -> None:
    stored: list[str] = []
    elements = [
        Element({"n": 1}, [], lambda: stored.append("first")),
        Element({"n": 2}, ["broken"], lambda: stored.append("second")),
        Element({"n": 3}, [], lambda: stored.append("third")),
    ]
    result = settle(elements, summarize)
    assert stored == ["first", "third"]
    assert result.refused is summarize
    assert [e.record["n"] for e in result.elements] == ([2] if summarize else [1, 2, 3])


def test_xero_sandbox_concurrent_and_app_limits_name_their_problem() -> None:
    clock = SandboxClock(scale=1.0)
    limiter = RateLimiter(clock, LimitConfig(minute=100, day=100, concurrent=2, app_minute=3))
    assert limiter.admit("t", "app").problem is None
    assert limiter.admit("t", "app").problem is None
    refused = limiter.admit("t", "app")
    assert (refused.problem, refused.retry_after) == ("concurrent", None)
    limiter.release("t")
    limiter.release("t")
    assert limiter.admit("u", "app").problem is None
    limiter.release("u")
    over_app = limiter.admit("v", "app")  # a fourth call of the app within the minute
    assert over_app.problem == "appminute"
    assert over_app.retry_after is not None and 1 <= over_app.retry_after <= 60
    assert limiter.admit("v", "another-app").problem is None


NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def a_bill(**overrides: object) -> Record:
    return {
        "Type": "ACCPAY",
        "Contact": {"Name": "Acme Ltd"},
        "Date": "2026-05-01",
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": "429"}],
        **overrides,
    }


def stored_in(tenant: Tenant, status: str) -> Record:
    """An invoice reached through Xero's own path to ``status``."""
    path = {"DELETED": ["DRAFT", "DELETED"], "VOIDED": ["AUTHORISED", "VOIDED"]}
    steps = path.get(status, [status])
    created = prepare_invoice(tenant, a_bill(Status=steps[0]), NOW, PendingContacts(), None, 2)
    assert created.ok, created.errors
    created.commit()
    invoice: Record = tenant.invoices[created.record["InvoiceID"]]
    for step in steps[1:]:
        moved = prepare_invoice(tenant, {"Status": step}, NOW, PendingContacts(), invoice, 2)
        assert moved.ok, moved.errors
        moved.commit()
        invoice = tenant.invoices[invoice["InvoiceID"]]
    return invoice


@pytest.mark.parametrize(
    ("start", "wanted", "allowed"),
    [
        ("DRAFT", "SUBMITTED", True),
        ("DRAFT", "AUTHORISED", True),
        ("DRAFT", "DELETED", True),
        ("DRAFT", "VOIDED", False),
        ("DRAFT", "PAID", False),
        ("SUBMITTED", "DRAFT", True),
        ("SUBMITTED", "AUTHORISED", True),
        ("SUBMITTED", "DELETED", True),
        ("AUTHORISED", "VOIDED", True),
        ("AUTHORISED", "DELETED", False),
        ("AUTHORISED", "DRAFT", False),
        ("AUTHORISED", "PAID", False),
        ("VOIDED", "AUTHORISED", False),
        ("VOIDED", "DELETED", False),
        ("DELETED", "DRAFT", False),
        ("DELETED", "AUTHORISED", False),
    ],
)
def test_xero_sandbox_invoice_status_transitions(start: str, wanted: str, allowed: bool) -> None:
    tenant = build_tenant({}, NOW)
    invoice = stored_in(tenant, start)
    moved = prepare_invoice(tenant, {"Status": wanted}, NOW, PendingContacts(), invoice, 2)
    assert moved.errors == ([] if allowed else [INVALID_STATUS])


@pytest.mark.parametrize("status", ["PAID", "VOIDED", "DELETED"])
def test_xero_sandbox_an_invoice_cannot_be_created_in_a_final_status(status: str) -> None:
    created = prepare_invoice(
        build_tenant({}, NOW), a_bill(Status=status), NOW, PendingContacts(), None, 2
    )
    assert created.errors == [INVALID_STATUS]


def test_xero_sandbox_payment_makes_paid_and_blocks_voiding() -> None:
    tenant = build_tenant({}, NOW)
    invoice = stored_in(tenant, "AUTHORISED")
    part = prepare_payment(
        tenant,
        {
            "Invoice": {"InvoiceID": invoice["InvoiceID"]},
            "Account": {"Code": "090"},
            "Amount": Decimal("2.00"),
        },
        NOW,
        {},
    )
    part.commit()
    voided = prepare_invoice(tenant, {"Status": "VOIDED"}, NOW, PendingContacts(), invoice, 2)
    assert voided.errors == [
        "This document cannot be edited as it has a payment or credit note allocated to it."
    ]
    rest = prepare_payment(
        tenant,
        {
            "Invoice": {"InvoiceID": invoice["InvoiceID"]},
            "Account": {"Code": "090"},
            "Amount": invoice["AmountDue"],
        },
        NOW,
        {},
    )
    rest.commit()
    assert (invoice["Status"], invoice["AmountDue"]) == ("PAID", Decimal("0.00"))
