"""The mail to the admins when a published bill was changed in Xero after approval: one per
admin and reported state, a side-by-side of approved and now, a link to the request."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from countersign_contracts import (
    BillChangedInXero,
    ChangeSeenBy,
    PublicationKind,
    XeroDifference,
    XeroInvoiceStatus,
)
from countersign_notifier.domain.bills import BillLine, BillSummary
from countersign_notifier.domain.changes_mail import when_bill_changed
from countersign_notifier.domain.mail import MailKey, MailKind
from countersign_notifier.domain.people_mail import Admin
from countersign_notifier.domain.texts import Links, render

ORG = uuid.uuid4()
ADMINS = [
    Admin(uuid.uuid4(), "Ada@Example.com", "Ada Admin"),
    Admin(uuid.uuid4(), "ada@example.com", "Ada Again"),
    Admin(uuid.uuid4(), "eve@example.com", "Eve Owner"),
]
BILL = BillSummary(
    supplier="Acme <Office> Ltd", reference="INV-9", currency="GBP", total=Decimal("126.60"),
    issue_date=date(2026, 11, 2), due_date=date(2026, 12, 2),
    lines=[BillLine(description="Paper", quantity=Decimal(5), line_amount=Decimal("105.50"))],
)  # fmt: skip


def changed(*differences: XeroDifference, at: datetime) -> BillChangedInXero:
    return BillChangedInXero(
        publication_id=uuid.uuid4(),
        kind=PublicationKind.BILL,
        request_id=uuid.UUID(int=7),
        dext_item_id="dext-9",
        item_version=1,
        xero_invoice_id=uuid.UUID(int=9),
        differences=list(differences),
        xero_status=XeroInvoiceStatus.AUTHORISED,
        xero_updated_at=at,
        seen_by=ChangeSeenBy.WEBHOOK,
    )


TOTAL = XeroDifference(field="total", approved="126.60", now="1126.60")


def test_each_admin_is_told_once_per_reported_state_with_approved_and_now() -> None:
    at = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
    account = XeroDifference(field="lines[0].account_code", approved="429", now="<400>")
    mails = when_bill_changed(changed(TOTAL, account, at=at), ORG, ADMINS, BILL)

    occasion = f"{uuid.UUID(int=9)}:{at.isoformat()}"
    kind = MailKind.CHANGED_IN_XERO
    assert [m.key for m in mails] == [
        MailKey(ORG, uuid.UUID(int=7), kind, None, "ada@example.com", occasion),
        MailKey(ORG, uuid.UUID(int=7), kind, None, "eve@example.com", occasion),
    ]
    assert not kind.has_buttons and mails[0].user_id is None
    link = f"https://web.example/requests/{uuid.UUID(int=7)}"
    shown = render(kind, mails[0].facts, Links(link))
    assert shown.subject == "Changed in Xero after approval: Acme <Office> Ltd, GBP 126.60"
    assert "  - Total: approved 126.60, now in Xero 1126.60" in shown.text
    assert "  - Line 1 account: approved 429, now in Xero <400>" in shown.text
    assert "<th>Approved</th><th>Now in Xero</th>" in shown.html
    assert "<td>126.60</td><td><strong>1126.60</strong></td>" in shown.html
    assert "&lt;400&gt;" in shown.html and "<400>" not in shown.html
    assert "Acme &lt;Office&gt; Ltd" in shown.html
    assert link in shown.text and f"href='{link}'" in shown.html


def test_a_further_change_is_a_new_mail_and_a_removed_value_shows_a_dash() -> None:
    first = when_bill_changed(changed(TOTAL, at=datetime(2026, 11, 4, tzinfo=UTC)), ORG, [], None)
    voided = XeroDifference(field="lines[1]", approved="Toner / 40.00", now=None)
    later = changed(TOTAL, voided, at=datetime(2026, 11, 5, tzinfo=UTC))
    [mail] = when_bill_changed(later, ORG, ADMINS[2:], None)
    assert first == []
    assert mail.key.occasion.endswith("2026-11-05T00:00:00+00:00")
    shown = render(mail.key.kind, mail.facts, Links("https://web.example/requests/x"))
    assert "  - Line 2: approved Toner / 40.00, now in Xero —" in shown.text
    assert shown.subject == "Changed in Xero after approval: Dext item dext-9 (version 1)"
