"""The Xero sandbox's pure rules, without HTTP: the ``where`` language, Xero's date formats and
the rate-limit windows on the sandbox clock."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from countersign_xero_sandbox.batches import Element, settle
from countersign_xero_sandbox.clock import SandboxClock
from countersign_xero_sandbox.dates import format_date, parse_date, parse_datetime
from countersign_xero_sandbox.limits import LimitConfig, RateLimiter
from countersign_xero_sandbox.model import contact_name, name_key
from countersign_xero_sandbox.query import QueryError, page_of, parse_where

CONTACT_ID = str(uuid.uuid4())
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
        (f'Type=="ACCPAY" && Contact.ContactID==guid("{uuid.uuid4()}")', False),
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
