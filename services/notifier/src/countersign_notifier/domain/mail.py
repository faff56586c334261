"""A mail to send, as the consumer records it: what kind, to whom, about what, and the facts its
text is written from. The key (``MailKey``) is what makes it once: a second event asking for
the same mail finds it recorded and adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel

from countersign_notifier.domain.bills import BillSummary

__all__ = [
    "BypassedBill",
    "DifferenceRow",
    "Mail",
    "MailFacts",
    "MailKey",
    "MailKind",
    "WaitingItem",
]


class MailKind(StrEnum):
    AWAITING = "awaiting"  # a step waits for you: with Approve and Reject buttons
    DUE_SOON = "due_soon"  # the step's deadline is a day away: the same buttons, once per step
    OVERDUE = "overdue"  # the step's deadline passed: the same buttons, once per step
    REJECTED = "rejected"  # to the requester: who rejected it and why
    PUBLISHED = "published"  # to the requester: the bill is in the ledger
    DIGEST = "digest"  # once a day: what waits for you (no request: the day is the occasion)
    CONNECTION = "connection"  # to the admins: the ledger connection needs them
    STANDING_IN = "standing_in"  # to a substitute: whom they decide for, and when
    INVITED = "invited"  # to a person an admin added: they may sign in with this address
    CHANGED_IN_XERO = "changed_in_xero"  # to the admins: a published bill changed in the ledger
    BYPASSED = "bypassed"  # to the admins: a bill was authorised in Xero without approval

    @property
    def has_buttons(self) -> bool:
        return self in (MailKind.AWAITING, MailKind.DUE_SOON, MailKind.OVERDUE)


class WaitingItem(BaseModel):
    """One line of a digest: a request that waits for the recipient."""

    request_id: UUID
    what: str  # supplier and amount, or the Dext item
    step_name: str | None = None
    due_at: str | None = None


class DifferenceRow(BaseModel):
    """One row of a changed bill's side-by-side: the field for a person, as approved, and as
    the ledger has it now."""

    label: str
    approved: str
    now: str


class BypassedBill(BaseModel):
    """A bill authorised in Xero without coming through Countersign, as Xero has it."""

    supplier: str
    number: str
    amount: str  # currency and total, as ``money`` writes them
    bill_date: str  # ISO date
    status: str
    repeating: bool  # made from a repeating template: its later bills are not reported


class MailFacts(BaseModel):
    """Everything a mail's text needs, kept with it so sending reads nothing else. The
    request's fields are empty for the mails about no one request (digest, connection,
    standing in)."""

    request_id: UUID | None = None
    dext_item_id: str = ""
    item_version: int = 0
    pulled: bool = False  # the bill started in Xero (the via-Xero mode), not in Dext
    recipient_name: str
    bill: BillSummary | None = None  # None: the request opened before the notifier knew it
    step_name: str | None = None
    escalated: bool = False  # the step was escalated to the recipient
    reassigned: bool = False  # an admin handed the recipient someone else's place
    due_at: str | None = None  # ISO timestamp of the step's deadline (passed, or a day away)
    decided_by: str | None = None
    reason: str | None = None
    xero_invoice_id: UUID | None = None
    # The ledger the mail is about: a Ledger value as the event names it, None (older events and
    # mails) is Xero; and the bill's id there (QBO's Id; for Xero its InvoiceID).
    ledger: str | None = None
    ledger_bill_id: str | None = None
    waiting: list[WaitingItem] = []  # a digest's requests
    organisation_name: str | None = None  # a connection alert's ledger organisation
    connection_status: str | None = None
    absent_name: str | None = None  # standing in: for whom, from when until when
    starts_at: str | None = None
    ends_at: str | None = None
    invited_by: str | None = None  # an invitation: the admin's name, and the roles given
    roles: list[str] = []
    differences: list[DifferenceRow] = []  # changed in Xero: approved and now, field by field
    bypassed: BypassedBill | None = None  # authorised in Xero without approval


@dataclass(frozen=True)
class MailKey:
    organisation_id: UUID
    request_id: UUID | None
    kind: MailKind
    step_index: int | None
    recipient: str  # lower-cased
    occasion: str = ""  # what tells apart mails of one kind with no request or step (later kinds)


@dataclass(frozen=True)
class Mail:
    key: MailKey
    user_id: UUID | None  # whose grant the buttons carry; None for a mail without buttons
    facts: MailFacts
