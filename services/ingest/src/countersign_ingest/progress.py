"""Keeping each item's status current from the other services' news, and the supplier
directory current from the publisher's contact sync.

Only news about an item's latest version counts (a republished item starts over), and a status
never moves back (see ``domain.supersedes``), whatever order the two topics deliver in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
from countersign_contracts import (
    BankTransactionCreated,
    BillCreated,
    Envelope,
    PaymentRecorded,
    PublicationCompleted,
    PublicationFailed,
    RequestAuthorised,
    RequestCancelled,
    RequestOpened,
    RequestRejected,
    RequestStepDecided,
    SupplierSynced,
)

from countersign_ingest.db import Items, Suppliers
from countersign_ingest.domain import ItemStatus, supersedes

__all__ = ["STATUS_NEWS", "record_progress", "record_supplier"]

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


STATUS_NEWS: dict[str, Callable[[Any], News]] = {
    "RequestOpened": _opened,
    "RequestStepDecided": _step_decided,
    "RequestAuthorised": _authorised,
    "RequestRejected": _rejected,
    "RequestCancelled": _cancelled,
    "BillCreated": _bill_created,
    "BankTransactionCreated": _bank_transaction_created,
    "PaymentRecorded": _payment_recorded,
    "PublicationCompleted": _completed,
    "PublicationFailed": _failed,
}
"""Which event means which status, with the details the status view shows."""


async def record_progress(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    payload = envelope.payload
    items = Items(conn)
    key = (envelope.organisation_id, payload.dext_item_id)
    current = await items.lock_status(*key)
    if current is None or current[0] != payload.item_version:
        return
    status, detail = STATUS_NEWS[envelope.event_type](payload)
    if supersedes(status, ItemStatus(current[1])):
        await items.set_status(*key, status, detail)


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
