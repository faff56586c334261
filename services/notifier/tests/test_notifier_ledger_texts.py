"""The mails name the organisation's ledger as the event they come from names it: "QuickBooks
Online" and its bill's Id for a QBO organisation; "Xero" for a Xero one and for events from
before ``ledger`` existed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from countersign_contracts import (
    BillChangedInXero,
    ChangeSeenBy,
    Ledger,
    LedgerConnectionChanged,
    LedgerConnectionStatus,
    PublicationKind,
    XeroDifference,
    XeroInvoiceStatus,
)
from countersign_harness.notifier_samples import ANN, opened, published
from countersign_notifier.domain.changes_mail import when_bill_changed
from countersign_notifier.domain.choosing import known_request, when_publication_updated
from countersign_notifier.domain.mail import MailKind
from countersign_notifier.domain.people_mail import Admin, when_connection_changed
from countersign_notifier.domain.texts import Links, Rendered, render

ORG = uuid.uuid4()
ADA = Admin(uuid.uuid4(), "ada@example.com", "Ada Admin")
LINK = Links("https://web.example/requests/r1")
QBO_BILL_ID = "146"


def _published(ledger: Ledger | None) -> Rendered:
    request_id = uuid.uuid4()
    event = published(request_id)
    if ledger is not None:  # as approval stages it: the publisher's ledger and the bill's id
        bill_id = QBO_BILL_ID if ledger is Ledger.QBO else str(event.xero_invoice_id)
        event = event.model_copy(update={"ledger": ledger, "ledger_bill_id": bill_id})
    [mail] = when_publication_updated(event, known_request(ORG, opened(request_id, ANN)))
    return render(MailKind.PUBLISHED, mail.facts, LINK)


def _changed(ledger: Ledger | None) -> Rendered:
    event = BillChangedInXero(
        publication_id=uuid.uuid4(), kind=PublicationKind.BILL, request_id=uuid.uuid4(),
        dext_item_id="dext-9", item_version=1, ledger=ledger, xero_invoice_id=uuid.uuid4(),
        ledger_bill_id=QBO_BILL_ID,
        differences=[XeroDifference(field="total", approved="126.60", now="1126.60")],
        xero_status=XeroInvoiceStatus.AUTHORISED, xero_updated_at=datetime.now(UTC),
        seen_by=ChangeSeenBy.WEBHOOK,
    )  # fmt: skip
    [mail] = when_bill_changed(event, ORG, [ADA], None)
    return render(MailKind.CHANGED_IN_XERO, mail.facts, LINK)


def test_the_published_mail_of_a_qbo_organisation_names_quickbooks_online_and_its_bill_id() -> None:
    shown = _published(Ledger.QBO)
    assert shown.subject == "In QuickBooks Online: Acme Office Supplies Ltd, GBP 126.60"
    for part in (shown.text, shown.html):
        assert "Your bill is approved and now in QuickBooks Online" in part
        assert f"QuickBooks Online bill id: {QBO_BILL_ID}" in part
        assert "Xero" not in part


@pytest.mark.parametrize("ledger", [Ledger.XERO, None])
def test_the_published_mail_of_a_xero_organisation_names_xero(ledger: Ledger | None) -> None:
    shown = _published(ledger)
    assert shown.subject == "In Xero: Acme Office Supplies Ltd, GBP 126.60"
    assert "Your bill is approved and now in Xero" in shown.text
    assert "QuickBooks" not in shown.text + shown.html


def test_the_changed_mail_of_a_qbo_organisation_names_quickbooks_online() -> None:
    shown = _changed(Ledger.QBO)
    assert shown.subject.startswith("Changed in QuickBooks Online after approval: ")
    assert "Someone changed a bill in QuickBooks Online after" in shown.text
    assert "approved 126.60, now in QuickBooks Online 1126.60" in shown.text
    assert "<th>Now in QuickBooks Online</th>" in shown.html
    assert "Xero" not in shown.text + shown.html


def test_the_changed_mail_of_an_event_without_a_ledger_names_xero() -> None:
    shown = _changed(None)
    assert shown.subject.startswith("Changed in Xero after approval: ")
    assert "<th>Now in Xero</th>" in shown.html and "QuickBooks" not in shown.text


@pytest.mark.parametrize(("ledger", "title"), [("qbo", "QuickBooks Online"), ("xero", "Xero")])
def test_the_connection_mail_names_the_ledger_that_refused(ledger: str, title: str) -> None:
    event = LedgerConnectionChanged(
        organisation_id=ORG, ledger=ledger, tenant_name="Acme Ltd",
        status=LedgerConnectionStatus.NEEDS_RECONNECT, reason="invalid_grant",
        changed_at=datetime.now(UTC),
    )  # fmt: skip
    [mail] = when_connection_changed(event, [ADA])
    shown = render(MailKind.CONNECTION, mail.facts, LINK)
    assert shown.subject == f"{title} needs you: reconnect Acme Ltd"
    assert f"nothing reaches {title} until an admin" in shown.text
