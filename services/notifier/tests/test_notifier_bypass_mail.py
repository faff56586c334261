"""The mail to the admins when a bill was authorised in Xero without coming through
Countersign: one per admin and bill, with the supplier, number, total and date; a repeating
bill says its template's later bills are not reported."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from countersign_contracts import (
    BillAuthorisedOutsideCountersign,
    ChangeSeenBy,
    XeroInvoiceStatus,
)
from countersign_notifier.domain.bypass_mail import REPEATING, when_bill_bypassed
from countersign_notifier.domain.mail import MailKey, MailKind
from countersign_notifier.domain.people_mail import Admin
from countersign_notifier.domain.texts import Links, render

ORG = uuid.uuid4()
INVOICE = uuid.UUID(int=9)
ADMINS = [
    Admin(uuid.uuid4(), "Ada@Example.com", "Ada Admin"),
    Admin(uuid.uuid4(), "ada@example.com", "Ada Again"),
    Admin(uuid.uuid4(), "eve@example.com", "Eve Owner"),
]


def bypassed(repeating: uuid.UUID | None = None) -> BillAuthorisedOutsideCountersign:
    return BillAuthorisedOutsideCountersign(
        publication_id=uuid.uuid4(),
        xero_invoice_id=INVOICE,
        invoice_number="RENT-<12>",
        xero_contact_id=uuid.uuid4(),
        contact_name="Northside <Property> Ltd",
        bill_date=date(2026, 12, 1),
        total=Decimal("1200"),
        currency="GBP",
        xero_status=XeroInvoiceStatus.AUTHORISED,
        repeating_invoice_id=repeating,
        xero_updated_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        seen_by=ChangeSeenBy.WEBHOOK,
    )


def test_each_admin_is_told_once_per_bill_what_was_authorised_without_approval() -> None:
    mails = when_bill_bypassed(bypassed(), ORG, ADMINS)

    kind = MailKind.BYPASSED
    assert [m.key for m in mails] == [
        MailKey(ORG, None, kind, None, "ada@example.com", str(INVOICE)),
        MailKey(ORG, None, kind, None, "eve@example.com", str(INVOICE)),
    ]
    assert not kind.has_buttons and mails[0].user_id is None
    shown = render(kind, mails[0].facts, Links("https://web.example/", label="Open Countersign"))
    what = "Northside <Property> Ltd, GBP 1,200.00"
    assert shown.subject == f"Authorised in Xero without approval: {what}"
    assert f"A bill was authorised in Xero without approval: {what}." in shown.text
    for line in ("Supplier:       Northside <Property> Ltd", "Number:         RENT-<12>",
                 "Total:          GBP 1,200.00", "Date:           2026-12-01"):  # fmt: skip
        assert line in shown.text
    assert REPEATING not in shown.text
    assert "Northside &lt;Property&gt; Ltd" in shown.html and "<Property>" not in shown.html
    assert "RENT-&lt;12&gt;" in shown.html


def test_a_repeating_bill_says_its_later_bills_are_not_reported() -> None:
    [mail] = when_bill_bypassed(bypassed(repeating=uuid.uuid4()), ORG, ADMINS[2:])
    shown = render(mail.key.kind, mail.facts, Links("https://web.example/"))
    assert "Repeating bill: further bills from this template are not reported." in shown.text
    assert REPEATING in shown.html
