"""The mail to an organisation's admins when a bill was authorised in Xero without coming
through Countersign (``BillAuthorisedOutsideCountersign`` on ledger.publications.v1, ADR
0055): the supplier, number, total and date, and — for a bill made from a repeating template —
that the template's later bills are not reported.

Keyed by the Xero bill: a redelivered event adds nothing (the publisher reports a bill once).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from uuid import UUID

from countersign_contracts import BillAuthorisedOutsideCountersign

from countersign_notifier.domain.bills import money
from countersign_notifier.domain.mail import BypassedBill, Mail, MailFacts, MailKey, MailKind
from countersign_notifier.domain.people_mail import Admin

__all__ = ["bypass_html", "bypass_lead", "bypass_text", "when_bill_bypassed"]

REPEATING = "Repeating bill: further bills from this template are not reported."


def when_bill_bypassed(
    event: BillAuthorisedOutsideCountersign, organisation_id: UUID, admins: Iterable[Admin]
) -> list[Mail]:
    bill = BypassedBill(
        supplier=event.contact_name,
        number=event.invoice_number,
        amount=money(event.currency, event.total),
        bill_date=event.bill_date.isoformat(),
        status=event.xero_status.value,
        repeating=event.repeating_invoice_id is not None,
    )
    mails: dict[str, Mail] = {}
    for admin in admins:
        recipient = admin.email.strip().lower()
        facts = MailFacts(
            recipient_name=admin.name, xero_invoice_id=event.xero_invoice_id, bypassed=bill
        )
        key = MailKey(
            organisation_id, None, MailKind.BYPASSED, None, recipient, str(event.xero_invoice_id)
        )
        mails.setdefault(recipient, Mail(key, None, facts))
    return list(mails.values())


def bypass_lead(bill: BypassedBill) -> tuple[str, list[str]]:
    what = f"{bill.supplier}, {bill.amount}"
    lead = [
        f"A bill was authorised in Xero without approval: {what}.",
        "It did not come through Countersign. Check who approved it in Xero and why.",
    ]
    return f"Authorised in Xero without approval: {what}", lead


def _rows(bill: BypassedBill) -> list[tuple[str, str]]:
    return [
        ("Supplier", bill.supplier),
        ("Number", bill.number or "(none)"),
        ("Total", bill.amount),
        ("Date", bill.bill_date),
        ("Status in Xero", bill.status),
    ]


def bypass_text(bill: BypassedBill) -> list[str]:
    lines = [f"{label + ':':<15} {value}" for label, value in _rows(bill)]
    return [*lines, REPEATING] if bill.repeating else lines


def bypass_html(bill: BypassedBill) -> str:
    rows = "".join(
        f"<tr><th align='left'>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in _rows(bill)
    )
    note = f"<p>{escape(REPEATING)}</p>" if bill.repeating else ""
    return f"<table cellpadding='4'>{rows}</table>{note}"
