"""The mail to an organisation's admins when a bill Countersign published was changed in its
ledger after approval (``BillChangedInXero`` on ledger.publications.v1, ADR 0054; Xero or
QuickBooks Online, its ``ledger``): a side-by-side of what was approved and what the ledger has
now, with a link to the request's page.

Keyed by the request and the ledger's state it reports (its update time): a redelivered event
adds nothing; a further change is a new state, so a new mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from uuid import UUID

from countersign_contracts import BillChangedInXero, XeroDifference, ledger_title

from countersign_notifier.domain.bills import BillSummary
from countersign_notifier.domain.mail import DifferenceRow, Mail, MailFacts, MailKey, MailKind
from countersign_notifier.domain.people_mail import Admin

__all__ = ["difference_html", "difference_text", "when_bill_changed"]


def when_bill_changed(
    event: BillChangedInXero,
    organisation_id: UUID,
    admins: Iterable[Admin],
    bill: BillSummary | None,
) -> list[Mail]:
    rows = [
        DifferenceRow(
            label=XeroDifference.label_of(d.field), approved=d.approved or "—", now=d.now or "—"
        )
        for d in event.differences
    ]
    occasion = f"{event.xero_invoice_id}:{event.xero_updated_at.isoformat()}"
    mails: dict[str, Mail] = {}
    for admin in admins:
        recipient = admin.email.strip().lower()
        facts = MailFacts(
            request_id=event.request_id,
            dext_item_id=event.dext_item_id,
            item_version=event.item_version,
            recipient_name=admin.name,
            bill=bill,
            xero_invoice_id=event.xero_invoice_id,
            ledger=event.ledger,
            ledger_bill_id=event.ledger_bill_id,
            differences=rows,
        )
        kind = MailKind.CHANGED_IN_XERO
        key = MailKey(organisation_id, event.request_id, kind, None, recipient, occasion)
        mails.setdefault(recipient, Mail(key, None, facts))
    return list(mails.values())


def difference_text(rows: list[DifferenceRow], ledger: str | None = None) -> list[str]:
    where = ledger_title(ledger)
    return [f"  - {r.label}: approved {r.approved}, now in {where} {r.now}" for r in rows]


def difference_html(rows: list[DifferenceRow], ledger: str | None = None) -> str:
    body = "".join(
        f"<tr><th align='left'>{escape(r.label)}</th><td>{escape(r.approved)}</td>"
        f"<td><strong>{escape(r.now)}</strong></td></tr>"
        for r in rows
    )
    return (
        "<table cellpadding='4' border='1' style='border-collapse:collapse'>"
        f"<tr><th></th><th>Approved</th><th>Now in {escape(ledger_title(ledger))}</th></tr>"
        f"{body}</table>"
    )
