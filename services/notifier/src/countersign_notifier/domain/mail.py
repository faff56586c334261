"""A mail to send, as the consumer records it: what kind, to whom, about what, and the facts its
text is written from. The key (``MailKey``) is what makes it once: a second event asking for
the same mail finds it recorded and adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel

from countersign_notifier.domain.bills import BillSummary

__all__ = ["Mail", "MailFacts", "MailKey", "MailKind"]


class MailKind(StrEnum):
    AWAITING = "awaiting"  # a step waits for you: with Approve and Reject buttons
    OVERDUE = "overdue"  # the step's deadline passed: the same buttons, once per step
    REJECTED = "rejected"  # to the requester: who rejected it and why
    PUBLISHED = "published"  # to the requester: the bill is in Xero

    @property
    def has_buttons(self) -> bool:
        return self in (MailKind.AWAITING, MailKind.OVERDUE)


class MailFacts(BaseModel):
    """Everything a mail's text needs, kept with it so sending reads nothing else."""

    request_id: UUID
    dext_item_id: str
    item_version: int
    recipient_name: str
    bill: BillSummary | None = None  # None: the request opened before the notifier knew it
    step_name: str | None = None
    escalated: bool = False  # the step was escalated to the recipient
    due_at: str | None = None  # ISO timestamp of a passed deadline
    decided_by: str | None = None
    reason: str | None = None
    xero_invoice_id: UUID | None = None


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
