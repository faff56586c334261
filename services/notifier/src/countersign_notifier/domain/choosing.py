"""Who is told what, for each event of ``approval.requests.v1``:

    RequestOpened         ─▶ awaiting   to each awaited person, for the current step
    RequestStepDecided    ─▶ awaiting   to each person now awaited (this step, or the next)
    RequestStepEscalated  ─▶ awaiting   to each person now awaited: the targets are new
    RequestStepDeadlineApproaching ─▶ due_soon   to each person the step still waits for
    RequestStepOverdue    ─▶ overdue    to each person the step still waits for
    RequestApproverReassigned ─▶ awaiting   to the new approver only
    RequestRejected       ─▶ rejected   to the requester
    RequestPublicationUpdated (published) ─▶ published   to the requester

A person is told only with an address and a user id (the buttons' grant is theirs); each
person once per list. Whether they were told already is the mail's key (``MailKey``): the
database refuses the second one, so these functions need not know what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from countersign_contracts import (
    Actor,
    ActorKind,
    PublicationStatus,
    RequestApproverReassigned,
    RequestAuthorised,
    RequestOpened,
    RequestPublicationUpdated,
    RequestRejected,
    RequestSource,
    RequestStepDeadlineApproaching,
    RequestStepDecided,
    RequestStepEscalated,
    RequestStepOverdue,
    StepRef,
)

from countersign_notifier.domain.bills import BillSummary
from countersign_notifier.domain.mail import Mail, MailFacts, MailKey, MailKind

__all__ = [
    "KnownRequest",
    "known_request",
    "when_deadline_approaching",
    "when_decided",
    "when_escalated",
    "when_opened",
    "when_overdue",
    "when_publication_updated",
    "when_reassigned",
    "when_rejected",
]

Awaited = (
    RequestOpened
    | RequestStepDecided
    | RequestStepEscalated
    | RequestStepOverdue
    | RequestStepDeadlineApproaching
    | RequestApproverReassigned
)


@dataclass(frozen=True)
class KnownRequest:
    """What the notifier keeps of a request from the event that carries its bill."""

    organisation_id: UUID
    request_id: UUID
    dext_item_id: str
    item_version: int
    bill: BillSummary
    requester_email: str
    requester_name: str


def known_request(organisation_id: UUID, event: RequestOpened | RequestAuthorised) -> KnownRequest:
    requester = event.bill.requester
    return KnownRequest(
        organisation_id=organisation_id,
        request_id=event.request_id,
        dext_item_id=event.dext_item_id,
        item_version=event.item_version,
        bill=BillSummary.of(event.bill),
        requester_email=requester.email,
        requester_name=requester.name,
    )


def _facts(event: Awaited | RequestRejected | RequestPublicationUpdated, name: str) -> MailFacts:
    return MailFacts(
        request_id=event.request_id,
        dext_item_id=event.dext_item_id,
        item_version=event.item_version,
        pulled=event.source is RequestSource.XERO,
        recipient_name=name,
        ledger=event.ledger,
    )


def _to_awaited(
    organisation_id: UUID,
    event: Awaited,
    known: KnownRequest | None,
    step: StepRef,
    awaiting: list[Actor],
    kind: MailKind = MailKind.AWAITING,
) -> list[Mail]:
    mails: dict[str, Mail] = {}
    for actor in awaiting:
        if actor.kind != ActorKind.USER or not actor.email or actor.user_id is None:
            continue
        recipient = actor.email.strip().lower()
        facts = _facts(event, actor.name).model_copy(
            update={
                "bill": known.bill if known else None,
                "step_name": step.name,
                "escalated": actor.role == "escalation",
                "reassigned": isinstance(event, RequestApproverReassigned),
                "due_at": _due_at(event),
            }
        )
        key = MailKey(organisation_id, event.request_id, kind, step.index, recipient)
        mails.setdefault(recipient, Mail(key, actor.user_id, facts))
    return list(mails.values())


def _due_at(event: Awaited) -> str | None:
    if isinstance(
        event, RequestStepOverdue | RequestStepEscalated | RequestStepDeadlineApproaching
    ):
        return event.due_at.isoformat()
    return None


def when_opened(organisation_id: UUID, event: RequestOpened) -> list[Mail]:
    if event.current_step is None:  # auto-approved: nobody to ask
        return []
    known = known_request(organisation_id, event)
    return _to_awaited(organisation_id, event, known, event.current_step, event.awaiting)


def when_decided(
    organisation_id: UUID, event: RequestStepDecided, known: KnownRequest | None
) -> list[Mail]:
    step = event.next_step if event.step_completed else event.step
    if step is None:
        return []
    return _to_awaited(organisation_id, event, known, step, event.awaiting)


def when_escalated(
    organisation_id: UUID, event: RequestStepEscalated, known: KnownRequest | None
) -> list[Mail]:
    return _to_awaited(organisation_id, event, known, event.step, event.awaiting)


def when_overdue(
    organisation_id: UUID, event: RequestStepOverdue, known: KnownRequest | None
) -> list[Mail]:
    return _to_awaited(
        organisation_id, event, known, event.step, event.awaiting, kind=MailKind.OVERDUE
    )


def when_deadline_approaching(
    organisation_id: UUID, event: RequestStepDeadlineApproaching, known: KnownRequest | None
) -> list[Mail]:
    return _to_awaited(
        organisation_id, event, known, event.step, event.awaiting, kind=MailKind.DUE_SOON
    )


def when_reassigned(
    organisation_id: UUID, event: RequestApproverReassigned, known: KnownRequest | None
) -> list[Mail]:
    """The new approver only: the others awaited were told already (same step, same key)."""
    return _to_awaited(organisation_id, event, known, event.step, [event.replacement])


def _to_requester(
    known: KnownRequest | None,
    event: RequestRejected | RequestPublicationUpdated,
    kind: MailKind,
    **facts: object,
) -> list[Mail]:
    if known is None:  # the request opened before the notifier knew it: no address
        return []
    told = _facts(event, known.requester_name).model_copy(update={"bill": known.bill, **facts})
    recipient = known.requester_email.strip().lower()
    key = MailKey(known.organisation_id, event.request_id, kind, None, recipient)
    return [Mail(key, None, told)]


def when_rejected(event: RequestRejected, known: KnownRequest | None) -> list[Mail]:
    return _to_requester(
        known,
        event,
        MailKind.REJECTED,
        step_name=event.step.name if event.step else None,
        decided_by=event.rejected_by.name,
        reason=event.reason,
    )


def when_publication_updated(
    event: RequestPublicationUpdated, known: KnownRequest | None
) -> list[Mail]:
    if event.status != PublicationStatus.PUBLISHED:
        return []
    return _to_requester(
        known, event, MailKind.PUBLISHED,
        xero_invoice_id=event.xero_invoice_id, ledger_bill_id=event.ledger_bill_id,
    )  # fmt: skip
