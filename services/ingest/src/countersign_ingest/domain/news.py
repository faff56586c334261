"""What each piece of news from approval and the publisher means for an item version: the
status it reached and the details the status view shows.

    approval.requests.v1    RequestOpened, RequestStepDecided     ─▶ in_approval
                            RequestAuthorised                     ─▶ authorised
                            RequestRejected                       ─▶ rejected
                            RequestCancelled                      ─▶ cancelled
    ledger.publications.v1  BillCreated, BankTransactionCreated,
                            PaymentRecorded, PublicationCompleted ─▶ published
                            PublicationFailed                     ─▶ publish_failed
                            PublicationCancelled                  ─▶ publication_cancelled

(A cancellation while Dext's withdrawal is pending is the withdrawal: ``handlers.progress``.)
A published item's detail names the record by its Xero id (``xero_*``, as always) and, when the
event says them, by its ledger and its id there (``ledger``, ``ledger_*_id``; ADR 0068): for a
QBO organisation only those name the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from countersign_contracts import (
    BankTransactionCreated,
    BillCreated,
    EventPayload,
    Ledger,
    PaymentRecorded,
    PublicationCancelled,
    PublicationCompleted,
    PublicationFailed,
    RequestAuthorised,
    RequestCancelled,
    RequestOpened,
    RequestRejected,
    RequestStepDecided,
)

from countersign_ingest.domain.items import ItemStatus

__all__ = ["PUBLICATION_NEWS", "REQUEST_NEWS", "News", "news_of"]

News = tuple[ItemStatus, dict[str, Any]]


def _opened(p: RequestOpened) -> News:
    step = p.current_step.name if p.current_step else None
    return ItemStatus.IN_APPROVAL, {
        "request_id": str(p.request_id),
        "step": step,
        "awaiting": [actor.name for actor in p.awaiting],
    }


def _step_decided(p: RequestStepDecided) -> News:
    step = p.step.name if not p.step_completed or p.next_step is None else p.next_step.name
    return ItemStatus.IN_APPROVAL, {
        "request_id": str(p.request_id),
        "step": step,
        "awaiting": [actor.name for actor in p.awaiting],
        "last_decision": {"by": p.decided_by.name, "decision": p.decision.value},
    }


def _authorised(p: RequestAuthorised) -> News:
    return ItemStatus.AUTHORISED, {"request_id": str(p.request_id), "step": None, "awaiting": []}


def _rejected(p: RequestRejected) -> News:
    return ItemStatus.REJECTED, {
        "request_id": str(p.request_id),
        "rejected_by": p.rejected_by.name,
        "reason": p.reason,
    }


def _cancelled(p: RequestCancelled) -> News:
    # Withdrawn in Dext or cancelled by an administrator: ``record_progress`` tells them apart.
    return ItemStatus.CANCELLED, {"cancelled_by": p.cancelled_by.name, "reason": p.reason}


def _in_ledger(ledger: Ledger | None, **ids: str | None) -> dict[str, Any]:
    """The ledger and the record's ids there, those the event says (older events say none)."""
    named = {"ledger": None if ledger is None else ledger.value, **ids}
    return {key: value for key, value in named.items() if value is not None}


def _bill_created(p: BillCreated) -> News:
    return ItemStatus.PUBLISHED, {
        "xero_invoice_id": str(p.xero_invoice_id),
        **_in_ledger(p.ledger, ledger_bill_id=p.ledger_bill_id),
        "xero_status": p.xero_status.value,
        "messages": [],
    }


def _bank_transaction_created(p: BankTransactionCreated) -> News:
    return ItemStatus.PUBLISHED, {
        "xero_bank_transaction_id": str(p.xero_bank_transaction_id),
        **_in_ledger(p.ledger, ledger_expense_id=p.ledger_expense_id),
        "xero_status": p.xero_status.value,
        "messages": [],
    }


def _payment_recorded(p: PaymentRecorded) -> News:
    return ItemStatus.PUBLISHED, {"xero_status": p.xero_invoice_status.value, "messages": []}


def _completed(p: PublicationCompleted) -> News:
    ids = {
        "xero_invoice_id": str(p.xero_invoice_id) if p.xero_invoice_id else None,
        "xero_bank_transaction_id": (
            str(p.xero_bank_transaction_id) if p.xero_bank_transaction_id else None
        ),
    }
    found = {key: value for key, value in ids.items() if value is not None}
    named = _in_ledger(
        p.ledger, ledger_bill_id=p.ledger_bill_id, ledger_expense_id=p.ledger_expense_id
    )
    return ItemStatus.PUBLISHED, {**found, **named, "xero_status": p.xero_status, "messages": []}


def _failed(p: PublicationFailed) -> News:
    return ItemStatus.PUBLISH_FAILED, {
        "messages": p.messages,
        "failed_step": p.step.value,
        "retryable": p.retryable,
    }


def _given_up(p: PublicationCancelled) -> News:
    return ItemStatus.PUBLICATION_CANCELLED, {
        "cancelled_by": p.cancelled_by_name,
        "reason": p.reason,
        "messages": [],
    }


REQUEST_NEWS: dict[type[EventPayload], Callable[[Any], News]] = {
    RequestOpened: _opened,
    RequestStepDecided: _step_decided,
    RequestAuthorised: _authorised,
    RequestRejected: _rejected,
    RequestCancelled: _cancelled,
}
PUBLICATION_NEWS: dict[type[EventPayload], Callable[[Any], News]] = {
    BillCreated: _bill_created,
    BankTransactionCreated: _bank_transaction_created,
    PaymentRecorded: _payment_recorded,
    PublicationCompleted: _completed,
    PublicationFailed: _failed,
    PublicationCancelled: _given_up,
}
"""Which event means which status, with the details the status view shows: approval's news
on approval.requests.v1, the publisher's on ledger.publications.v1."""
_NEWS = {**REQUEST_NEWS, **PUBLICATION_NEWS}


def news_of(payload: EventPayload) -> News:
    """The status and details ``payload`` (an event of either table) brings."""
    return _NEWS[type(payload)](payload)
