"""Keeping each item's status current from the other services' news, and the supplier
directory current from the publisher's contact sync.

Each version's news goes to that version's journey, and a status never moves back (see
``domain.items.supersedes``), whatever order the two topics deliver in. The item shows its latest
version's journey — unless approval refused that version (``RepublishRefused``): then the
journey of the version approval kept, whose news has been recorded all along. Approval's answer
to a withdrawal ends it: the request cancelled (withdrawn) or ``WithdrawalRefused``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import (
    BankTransactionCreated,
    BillCreated,
    Envelope,
    EventPayload,
    PaymentRecorded,
    PublicationCompleted,
    PublicationFailed,
    RepublishRefused,
    RequestAuthorised,
    RequestCancelled,
    RequestOpened,
    RequestRejected,
    RequestStepDecided,
    SupplierSynced,
    WithdrawalRefused,
)

from countersign_ingest.db.items import Items
from countersign_ingest.db.suppliers import Suppliers
from countersign_ingest.domain.items import ItemStatus, WithdrawalState, supersedes

__all__ = [
    "PUBLICATION_NEWS",
    "REQUEST_NEWS",
    "record_progress",
    "record_republish_refused",
    "record_supplier",
    "record_withdrawal_refused",
]

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


def _bill_created(p: BillCreated) -> News:
    return ItemStatus.PUBLISHED, {
        "xero_invoice_id": str(p.xero_invoice_id),
        "xero_status": p.xero_status.value,
        "messages": [],
    }


def _bank_transaction_created(p: BankTransactionCreated) -> News:
    return ItemStatus.PUBLISHED, {
        "xero_bank_transaction_id": str(p.xero_bank_transaction_id),
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
    return ItemStatus.PUBLISHED, {**found, "xero_status": p.xero_status, "messages": []}


def _failed(p: PublicationFailed) -> News:
    return ItemStatus.PUBLISH_FAILED, {
        "messages": p.messages,
        "failed_step": p.step.value,
        "retryable": p.retryable,
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
}
"""Which event means which status, with the details the status view shows: approval's news
on approval.requests.v1, the publisher's on ledger.publications.v1."""
_NEWS = {**REQUEST_NEWS, **PUBLICATION_NEWS}


async def _record(
    items: Items, organisation_id: UUID, dext_item_id: str, version: int, news: News
) -> None:
    journey = await items.lock_journey(organisation_id, dext_item_id, version)
    if journey is None:
        return
    status, detail = news
    withdrawal = journey.withdrawal
    if (
        status is ItemStatus.CANCELLED
        and withdrawal is not None
        and withdrawal.get("state") == WithdrawalState.REQUESTED
    ):
        # The request stopped while Dext's withdrawal was pending: that is what stopped it.
        status, detail = ItemStatus.WITHDRAWN, {"reason": withdrawal.get("reason")}
        granted = {**withdrawal, "state": WithdrawalState.GRANTED.value}
        await items.set_withdrawal(organisation_id, dext_item_id, granted)
    if supersedes(status, ItemStatus(journey.status)):
        await items.set_status(organisation_id, dext_item_id, version, status, detail)


async def record_progress(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    payload = envelope.payload
    news = _NEWS[type(payload)](payload)
    await _record(
        Items(conn), envelope.organisation_id, payload.dext_item_id, payload.item_version, news
    )


async def record_republish_refused(
    conn: asyncpg.Connection, envelope: Envelope[RepublishRefused]
) -> None:
    """Approval kept the request of ``item_version``: show that version's journey, and why the
    newer one was not taken (it is refused for good)."""
    refused = envelope.payload
    org, item = envelope.organisation_id, refused.dext_item_id
    items = Items(conn)
    if await items.lock_journey(org, item, refused.item_version) is None:
        return
    await items.set_status(
        org, item, refused.refused_item_version, ItemStatus.REFUSED, {"reason": refused.reason}
    )
    await items.show_version(
        org,
        item,
        refused.item_version,
        {
            "version": refused.refused_item_version,
            "reason": refused.reason,
            "refused_at": refused.refused_at.isoformat(),
        },
    )


async def record_withdrawal_refused(
    conn: asyncpg.Connection, envelope: Envelope[WithdrawalRefused]
) -> None:
    """The withdrawal did not stop the request: the item goes on to Xero, and says so."""
    refused = envelope.payload
    org, item = envelope.organisation_id, refused.dext_item_id
    items = Items(conn)
    journey = await items.lock_journey(org, item, refused.item_version)
    if journey is None:
        return
    await items.set_withdrawal(
        org,
        item,
        {
            **(journey.withdrawal or {}),
            "state": WithdrawalState.REFUSED.value,
            "refusal": refused.reason,
            "refused_at": refused.refused_at.isoformat(),
        },
    )


async def record_supplier(conn: asyncpg.Connection, envelope: Envelope[SupplierSynced]) -> None:
    supplier = envelope.payload
    details = supplier.model_dump(
        mode="json",
        include={
            "contact_number",
            "tax_number",
            "default_currency",
            "purchases_default_account_code",
        },
    )
    await Suppliers(conn).keep_newest(
        envelope.organisation_id,
        supplier.xero_contact_id,
        supplier.name,
        supplier.status.value,
        details,
        supplier.xero_updated_at,
    )
