"""After authorisation: approval mirrors the publisher's progress onto the request; an
administrator may recode a failed publication's lines (accounts, tax types, tracking), ask for
it to be tried again — with the recoded bill — or ask the publisher to give it up.

Recoding and giving up are only for a bill that is not in Xero: once it is, it is amended or
voided there. Amounts and the supplier are Dext's: they change by a republish and a new
approval, which a given-up publication allows.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_contracts import (
    Actor,
    ActorKind,
    AuditAction,
    BillChangedInXero,
    FieldChange,
    Ledger,
    MasterData,
    PublicationCancelRequested,
    PublicationRetryRequested,
    PublicationStatus,
    RequestPublicationUpdated,
    XeroInvoiceStatus,
    ledger_title,
)

from countersign_approval.domain.coding import CodingEdit, apply_coding
from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.people import Participant
from countersign_approval.domain.refusals import OutOfTurn
from countersign_approval.domain.request import ApprovalRequest

__all__ = [
    "ask_to_cancel_publication",
    "changed_comment",
    "changed_in_xero",
    "publication_given_up",
    "publication_progressed",
    "recode_publication",
    "retry_publication",
]

_STATE_OF = {
    PublicationStatus.PUBLISHING: RequestState.PUBLISHING,
    PublicationStatus.PUBLISHED: RequestState.PUBLISHED,
    PublicationStatus.PUBLISH_FAILED: RequestState.PUBLISH_FAILED,
    PublicationStatus.PUBLICATION_CANCELLED: RequestState.PUBLICATION_CANCELLED,
}


def publication_progressed(
    request: ApprovalRequest,
    publication_id: UUID,
    status: PublicationStatus,
    now: datetime,
    *,
    xero_invoice_id: UUID | None = None,
    ledger: Ledger | None = None,
    ledger_bill_id: str | None = None,
    messages: list[str] | None = None,
) -> None:
    """Moves to the publisher's reported status; a repeat of the current status only refreshes
    what it carries (a second failure's messages, say). The ledger and the bill's id there are
    kept as the publisher names them (its events before ``ledger`` name none)."""
    target = _STATE_OF[status]
    if request.state is not target:
        request.move(target)
    request.publication_id = publication_id
    if xero_invoice_id is not None:
        request.xero_invoice_id = xero_invoice_id
    request.ledger = ledger or request.ledger
    request.ledger_bill_id = ledger_bill_id or request.ledger_bill_id
    request.publication_messages = list(messages or [])
    request.emit(
        RequestPublicationUpdated(
            **request.about(),
            publication_id=publication_id,
            status=status,
            messages=request.publication_messages,
            updated_at=now,
        )
    )


def publication_given_up(
    request: ApprovalRequest, publication_id: UUID, asked_by: str, reason: str, now: datetime
) -> None:
    """The publisher gave the publication up, as an administrator asked: the request ends."""
    if request.state is RequestState.PUBLICATION_CANCELLED:
        return
    publisher = Actor(kind=ActorKind.SYSTEM, name="Countersign publisher")
    comment = f"given up as {asked_by} asked: {reason}"
    request.record(now, publisher, AuditAction.PUBLICATION_CANCELLED, comment=comment[:2000])
    publication_progressed(request, publication_id, PublicationStatus.PUBLICATION_CANCELLED, now)


# QuickBooks Online's words for what BillChangedInXero.xero_status says of a QBO bill (it has
# no status: open while a balance is due, paid at Balance 0, or deleted).
_QBO_STATES = {
    XeroInvoiceStatus.AUTHORISED: "bill open",
    XeroInvoiceStatus.PAID: "bill paid",
    XeroInvoiceStatus.DELETED: "bill deleted",
}


def changed_comment(changed: BillChangedInXero) -> str:
    """The trail's words for a bill changed in its ledger: which ledger, where the bill stands
    there now in the ledger's own words, and how the change was seen."""
    seen = f"seen by {changed.seen_by.value}"
    if changed.ledger is Ledger.QBO:
        state = _QBO_STATES.get(changed.xero_status)
        status = f"{state}, {seen}" if state else seen
    else:
        status = f"Xero status {changed.xero_status.value}, {seen}"
    return f"Changed in {ledger_title(changed.ledger)} after approval ({status})"


def changed_in_xero(
    request: ApprovalRequest,
    at: datetime,
    changes: list[FieldChange],
    comment: str,
    ledger: Ledger | None = None,
) -> None:
    """The bill was changed in its ledger after approval: a trail entry by the ledger (Xero,
    QuickBooks Online; None is Xero) with what differs from what was approved (``before``) and
    what the ledger has now (``after``); a repeat adds nothing."""
    by = Actor(kind=ActorKind.SYSTEM, name=ledger_title(ledger))
    for entry in request.trail:
        if entry.action is AuditAction.CHANGED_IN_XERO and (entry.at, entry.changes) == (
            at,
            changes,
        ):
            return
    request.record(at, by, AuditAction.CHANGED_IN_XERO, comment=comment, changes=changes)


def _check_failed(request: ApprovalRequest, what: str) -> None:
    if request.state is not RequestState.PUBLISH_FAILED or request.publication_id is None:
        raise OutOfTurn(f"the request is {request.state}; only a failed publication is {what}")


def _check_failed_before_xero(request: ApprovalRequest, what: str) -> None:
    _check_failed(request, what)
    if request.xero_invoice_id is not None:
        raise OutOfTurn(f"the bill is in Xero ({request.xero_invoice_id}); amend or void it there")


def _recoded(request: ApprovalRequest) -> bool:
    return any(e.action is AuditAction.EDITED_AFTER_APPROVAL for e in request.trail)


def retry_publication(
    request: ApprovalRequest, admin: Participant, comment: str | None, now: datetime
) -> None:
    """Asks the publisher to try again; with the recoded bill and its trail when an
    administrator recoded it after approval."""
    _check_failed(request, "retried")
    assert request.publication_id is not None
    recoded = _recoded(request)
    request.move(RequestState.PUBLISHING)
    request.emit(
        PublicationRetryRequested(
            **request.about(),
            publication_id=request.publication_id,
            requested_by=admin.actor("admin"),
            comment=comment,
            requested_at=now,
            bill=request.bill if recoded else None,
            audit_trail=list(request.trail) if recoded else None,
        )
    )


def recode_publication(
    request: ApprovalRequest,
    admin: Participant,
    line_index: int,
    edit: CodingEdit,
    comment: str | None,
    master: MasterData | None,
    now: datetime,
) -> None:
    """Recodes one line of a failed publication's bill with values the organisation's Xero
    takes (``master``), recorded as an edit after approval; the next retry publishes the
    recoded bill."""
    _check_failed_before_xero(request, "recoded")
    request.bill, changes = apply_coding(request.bill, line_index, edit, master)
    request.record(
        now,
        admin.actor("admin"),
        AuditAction.EDITED_AFTER_APPROVAL,
        comment=comment,
        changes=changes,
    )


def ask_to_cancel_publication(
    request: ApprovalRequest, admin: Participant, reason: str, now: datetime
) -> None:
    """Asks the publisher to give the publication up; the request ends when it has
    (``PublicationCancelled``)."""
    _check_failed_before_xero(request, "given up")
    assert request.publication_id is not None
    request.emit(
        PublicationCancelRequested(
            **request.about(),
            publication_id=request.publication_id,
            requested_by=admin.actor("admin"),
            reason=reason,
            requested_at=now,
        )
    )
