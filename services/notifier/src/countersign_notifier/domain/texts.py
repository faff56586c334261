"""The words of each mail: a subject, a plain-text part and an HTML part saying the same.

Every value from an event is escaped in the HTML; the HTML has no images, no scripts, no
remote styles and no tracking; its buttons are plain links (a mail client strips forms) to the
web app's confirmation page, where only a POST decides (ADR 0048).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from countersign_contracts import ledger_title

from countersign_notifier.domain.bills import BillSummary, money
from countersign_notifier.domain.bypass_mail import bypass_html, bypass_lead, bypass_text
from countersign_notifier.domain.changes_mail import difference_html, difference_text
from countersign_notifier.domain.mail import MailFacts, MailKind

__all__ = ["Links", "Rendered", "render"]


@dataclass(frozen=True)
class Links:
    request: str  # the page the mail is about: the request's, the inbox, the web app
    approve: str | None = None  # the buttons: one grant, one decision
    reject: str | None = None
    expires_at: str | None = None  # when the buttons stop working
    web: str = ""  # the web app's address: a digest links each request under it
    label: str = "Open the request"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _what(facts: MailFacts) -> str:
    bill = facts.bill
    if bill is None:
        if facts.pulled:
            return f"Xero bill {facts.dext_item_id.removeprefix('xero:')}"
        return f"Dext item {facts.dext_item_id} (version {facts.item_version})"
    return f"{bill.supplier}, {bill.amount}"


def _lead(kind: MailKind, facts: MailFacts) -> tuple[str, list[str]]:
    """The subject and the opening paragraphs."""
    what, step = _what(facts), facts.step_name or "its current step"
    if kind is MailKind.AWAITING:
        if facts.escalated:
            why = f"The step {step} was escalated to you: its deadline passed."
        elif facts.reassigned:
            why = f"An administrator handed you a place at the step {step}."
        else:
            why = f"It waits for your decision at the step {step}."
        return f"Approval needed: {what}", [f"A bill needs your approval: {what}.", why]
    if kind is MailKind.DUE_SOON:
        return f"Reminder, due soon: {what}", [
            f"A bill waits for your decision at the step {step}: {what}.",
            f"Its deadline is {facts.due_at}, a day from now.",
        ]
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
            "It is back in DRAFT in Xero: correct it there and submit it for approval again."
            if facts.pulled
            else "Amend it in Dext and publish it again to start a new approval.",
        ]
    ledger = ledger_title(facts.ledger)
    if kind is MailKind.CHANGED_IN_XERO:
        return f"Changed in {ledger} after approval: {what}", [
            f"Someone changed a bill in {ledger} after Countersign published it: {what}.",
            "What differs from what was approved:",
        ]
    return f"In {ledger}: {what}", [
        f"Your bill is approved and now in {ledger}: {what}.",
        f"{ledger} bill id: {facts.ledger_bill_id or facts.xero_invoice_id}",
    ]


def _other_lead(kind: MailKind, facts: MailFacts) -> tuple[str, list[str]]:
    """The subject and opening of the mails about no one request."""
    if kind is MailKind.DIGEST:
        count = len(facts.waiting)
        return f"Waiting for you: {count} bill{'s' if count != 1 else ''}", [
            f"{count} bill{'s wait' if count != 1 else ' waits'} for your decision:"
        ]
    if kind is MailKind.CONNECTION:
        where = facts.organisation_name or "your organisation"
        why = f" ({facts.reason})" if facts.reason else ""
        ledger = ledger_title(facts.ledger)
        return f"{ledger} needs you: reconnect {where}", [
            f"{ledger} refused Countersign's access to {where}{why}.",
            f"Approved bills wait and nothing reaches {ledger} until an admin connects it again.",
        ]
    if kind is MailKind.BYPASSED and facts.bypassed is not None:
        return bypass_lead(facts.bypassed)
    if kind is MailKind.INVITED:
        where = facts.organisation_name or "their organisation"
        return f"{facts.invited_by} added you to {where} in Countersign", [
            f"{facts.invited_by} added you to {where} in Countersign, where bills are approved"
            f" before they reach Xero. Your roles: {', '.join(facts.roles) or 'none yet'}.",
            "Sign in with this e-mail address: Countersign mails you a link, no password."
            " You are told by e-mail when a bill waits for you.",
        ]
    return f"You stand in for {facts.absent_name}", [
        f"{facts.absent_name} is away from {facts.starts_at} until {facts.ends_at}.",
        "Meanwhile you decide in their place what awaits them; it shows in your inbox.",
    ]


def _waiting_text(facts: MailFacts, base: str) -> list[str]:
    return [
        f"  - {item.what}, at the step {item.step_name or '?'}"
        + (f" (deadline {item.due_at})" if item.due_at else "")
        + f": {base}/requests/{item.request_id}"
        for item in facts.waiting
    ]


def _waiting_html(facts: MailFacts, base: str) -> str:
    items = "".join(
        f"<li><a href='{escape(f'{base}/requests/{item.request_id}')}'>{escape(item.what)}</a>"
        f", at the step {escape(item.step_name or '?')}"
        + (f" (deadline {escape(item.due_at)})" if item.due_at else "")
        + "</li>"
        for item in facts.waiting
    )
    return f"<ul>{items}</ul>" if items else ""


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
        return [f"{links.label}: {links.request}"], (
            f"<p><a href='{escape(links.request)}'>{escape(links.label)}</a></p>"
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
    about_a_request = facts.request_id is not None
    subject, lead = _lead(kind, facts) if about_a_request else _other_lead(kind, facts)
    actions_text, actions_html = _actions(links)
    greeting = f"Hello {facts.recipient_name},"
    base = links.web
    listed_text = _bill_text(facts.bill) if facts.bill else _waiting_text(facts, base)
    listed_html = _bill_html(facts.bill) if facts.bill else _waiting_html(facts, base)
    if kind is MailKind.CHANGED_IN_XERO:
        listed_text, listed_html = (
            difference_text(facts.differences, facts.ledger),
            difference_html(facts.differences, facts.ledger),
        )
    if kind is MailKind.BYPASSED and facts.bypassed is not None:
        listed_text, listed_html = bypass_text(facts.bypassed), bypass_html(facts.bypassed)
    parts = [greeting, *lead, "\n".join(listed_text), "\n".join(actions_text), "— Countersign"]
    text = "\n\n".join(part for part in parts if part)
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in (greeting, *lead))
    html = (
        "<!doctype html><html><body style='font-family:sans-serif;color:#222'>"
        f"{paragraphs}{listed_html}{actions_html}"
        "<p style='color:#666'>— Countersign</p></body></html>"
    )
    return Rendered(subject, text + "\n", html)
