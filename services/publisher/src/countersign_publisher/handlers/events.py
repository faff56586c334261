"""Emitting the publisher's events through the outbox, inside the caller's transaction."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_contracts import (
    LEDGER_PUBLICATIONS,
    LEDGER_SUPPLIERS,
    ContactStatus,
    EventPayload,
    SupplierSynced,
    new_envelope,
)
from countersign_platform.outbox import enqueue

from countersign_publisher.adapters.xero_client import Json, parse_xero_datetime

__all__ = ["PRODUCER", "emit_publication_event", "emit_supplier", "supplier_synced"]

PRODUCER = "publisher"


async def emit_publication_event(
    conn: asyncpg.Connection,
    payload: EventPayload,
    *,
    organisation_id: UUID,
    correlation_id: UUID,
    causation_id: UUID | None,
) -> None:
    envelope = new_envelope(
        payload,
        producer=PRODUCER,
        organisation_id=organisation_id,
        correlation_id=correlation_id,
        causation_id=causation_id,
    )
    await enqueue(conn, LEDGER_PUBLICATIONS, envelope)


def supplier_synced(contact: Json) -> SupplierSynced:
    """A Xero contact as the supplier event (``UpdatedDateUTC`` is required by the contract)."""
    status = str(contact.get("ContactStatus") or "ACTIVE")
    updated = parse_xero_datetime(contact.get("UpdatedDateUTC"))
    if updated is None:
        raise ValueError("contact without UpdatedDateUTC")
    return SupplierSynced(
        xero_contact_id=UUID(str(contact["ContactID"])),
        name=str(contact["Name"])[:255],
        status=ContactStatus(status)
        if status in ContactStatus.__members__.values()
        else (ContactStatus.ACTIVE),
        contact_number=(contact.get("ContactNumber") or None),
        tax_number=(contact.get("TaxNumber") or None),
        default_currency=(contact.get("DefaultCurrency") or None),
        purchases_default_account_code=(contact.get("PurchasesDefaultAccountCode") or None),
        xero_updated_at=updated,
    )


async def emit_supplier(
    conn: asyncpg.Connection,
    contact: Json,
    *,
    organisation_id: UUID,
    correlation_id: UUID,
    causation_id: UUID | None = None,
) -> None:
    envelope = new_envelope(
        supplier_synced(contact),
        producer=PRODUCER,
        organisation_id=organisation_id,
        correlation_id=correlation_id,
        causation_id=causation_id,
    )
    await enqueue(conn, LEDGER_SUPPLIERS, envelope)
