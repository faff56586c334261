"""The words of each mail: a subject, a plain-text part and an HTML part saying the same.

Every value from an event is escaped in the HTML; the HTML has no images, no scripts, no
remote styles and no tracking; its buttons are plain links (a mail client strips forms) to the
web app's confirmation page, where only a POST decides (ADR 0048).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from countersign_notifier.domain.bills import BillSummary, money
from countersign_notifier.domain.mail import MailFacts, MailKind

__all__ = ["Links", "Rendered", "render"]


@dataclass(frozen=True)
class Links:
    request: str  # the request's page in the web app
    approve: str | None = None  # the buttons: one grant, one decision
    reject: str | None = None
    expires_at: str | None = None  # when the buttons stop working


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _what(facts: MailFacts) -> str:
    bill = facts.bill
    if bill is None:
        return f"Dext item {facts.dext_item_id} (version {facts.item_version})"
    return f"{bill.supplier}, {bill.amount}"


def _lead(kind: MailKind, facts: MailFacts) -> tuple[str, list[str]]:
    """The subject and the opening paragraphs."""
    what, step = _what(facts), facts.step_name or "its current step"
    if kind is MailKind.AWAITING:
        why = (
            f"The step {step} was escalated to you: its deadline passed."
            if facts.escalated
            else f"It waits for your decision at the step {step}."
        )
        return f"Approval needed: {what}", [f"A bill needs your approval: {what}.", why]
    if kind is MailKind.OVERDUE:
        due = f" The deadline was {facts.due_at}." if facts.due_at else ""
        return f"Reminder, overdue: {what}", [
            f"A bill still waits for your decision at the step {step}: {what}.{due}"
        ]
    if kind is MailKind.REJECTED:
        where = f" at the step {facts.step_name}" if facts.step_name else ""
        return f"Rejected: {what}", [
            f"{facts.decided_by} rejected your bill{where}: {what}.",
            f"Reason: {facts.reason}",
            "Amend it in Dext and publish it again to start a new approval.",
        ]
    return f"In Xero: {what}", [
        f"Your bill is approved and now in Xero: {what}.",
        f"Xero bill id: {facts.xero_invoice_id}",
    ]


def _bill_text(bill: BillSummary) -> list[str]:
    lines = [
        f"Supplier:  {bill.supplier}",
        f"Reference: {bill.reference}",
        f"Total:     {bill.amount}",
        f"Issued:    {bill.issue_date.isoformat()}",
        f"Due:       {bill.due_date.isoformat()}",
        "Lines:",
    ]
    lines += [
        f"  - {line.description} (x {line.quantity}): {money(bill.currency, line.line_amount)}"
        for line in bill.lines
    ]
    return lines


def _bill_html(bill: BillSummary) -> str:
    rows = "".join(
        f"<tr><th align='left'>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in (
            ("Supplier", bill.supplier),
            ("Reference", bill.reference),
            ("Total", bill.amount),
            ("Issued", bill.issue_date.isoformat()),
            ("Due", bill.due_date.isoformat()),
        )
    )
    lines = "".join(
        f"<tr><td>{escape(line.description)}</td><td align='right'>{escape(str(line.quantity))}"
        f"</td><td align='right'>{escape(money(bill.currency, line.line_amount))}</td></tr>"
        for line in bill.lines
    )
    return (
        f"<table cellpadding='4'>{rows}</table>"
        "<table cellpadding='4' border='1' style='border-collapse:collapse'>"
        "<tr><th>Description</th><th>Quantity</th><th>Amount</th></tr>"
        f"{lines}</table>"
    )


_BUTTON = (
    "display:inline-block;padding:10px 18px;margin-right:8px;color:#ffffff;"
    "text-decoration:none;border-radius:4px;font-weight:bold;background:{colour}"
)


def _actions(links: Links) -> tuple[list[str], str]:
    if links.approve is None or links.reject is None:
        return [f"Open the request: {links.request}"], (
            f"<p><a href='{escape(links.request)}'>Open the request</a></p>"
        )
    until = f" They work once, for you only, until {links.expires_at}." if links.expires_at else ""
    text = [
        f"Approve: {links.approve}",
        f"Reject:  {links.reject}",
        f"Each button opens a page that asks you to confirm.{until}",
        f"Open the request: {links.request}",
    ]
    html = (
        f"<p><a href='{escape(links.approve)}' style='{_BUTTON.format(colour='#2e7d32')}'>"
        f"Approve</a><a href='{escape(links.reject)}' "
        f"style='{_BUTTON.format(colour='#c62828')}'>Reject</a></p>"
        f"<p>Each button opens a page that asks you to confirm.{escape(until)}</p>"
        f"<p><a href='{escape(links.request)}'>Open the request</a></p>"
    )
    return text, html


def render(kind: MailKind, facts: MailFacts, links: Links) -> Rendered:
    subject, lead = _lead(kind, facts)
    actions_text, actions_html = _actions(links)
    greeting = f"Hello {facts.recipient_name},"
    bill_text = _bill_text(facts.bill) if facts.bill else []
    parts = [greeting, *lead, "\n".join(bill_text), "\n".join(actions_text), "— Countersign"]
    text = "\n\n".join(part for part in parts if part)
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in (greeting, *lead))
    html = (
        "<!doctype html><html><body style='font-family:sans-serif;color:#222'>"
        f"{paragraphs}{_bill_html(facts.bill) if facts.bill else ''}{actions_html}"
        "<p style='color:#666'>— Countersign</p></body></html>"
    )
    return Rendered(subject, text + "\n", html)
