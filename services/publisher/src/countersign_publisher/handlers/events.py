"""Emitting the publisher's events through the outbox, inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from countersign_contracts import (
    LEDGER_BILLS,
    LEDGER_CONNECTIONS,
    LEDGER_MASTER_DATA,
    LEDGER_PUBLICATIONS,
    LEDGER_SUPPLIERS,
    LEDGER_XERO_BILLS,
    BillLeftSubmittedInXero,
    BillSubmittedInXero,
    EventPayload,
    Ledger,
    LedgerConnectionChanged,
    LedgerConnectionStatus,
    LedgerMasterDataSynced,
    SupplierSynced,
    new_envelope,
    with_ledger_names,
)
from countersign_platform.outbox import enqueue

from countersign_publisher.db.connections import ConnectionRow

__all__ = [
    "PRODUCER",
    "Cause",
    "emit_connection",
    "emit_ledger_bill",
    "emit_master_data",
    "emit_publication_event",
    "emit_supplier",
    "emit_xero_bill_event",
]

PRODUCER = "publisher"


@dataclass(frozen=True)
class Cause:
    """Whose event it is, and what led to it: the envelope fields the publisher does not make
    up itself."""

    organisation_id: UUID
    correlation_id: UUID
    causation_id: UUID | None = None
    ledger: Ledger = Ledger.XERO  # the organisation's; the QBO adapter sets it (ADR 0065)


async def _emit(conn: asyncpg.Connection, topic: str, payload: EventPayload, cause: Cause) -> None:
    """Every event the publisher emits passes here: it names the ledger and, beside each Xero
    id, the same record's ``ledger_*_id`` (``with_ledger_names``), so no step repeats them."""
    envelope = new_envelope(
        with_ledger_names(payload, cause.ledger),
        producer=PRODUCER,
        organisation_id=cause.organisation_id,
        correlation_id=cause.correlation_id,
        causation_id=cause.causation_id,
    )
    await enqueue(conn, topic, envelope)


async def emit_publication_event(
    conn: asyncpg.Connection, payload: EventPayload, cause: Cause
) -> None:
    await _emit(conn, LEDGER_PUBLICATIONS, payload, cause)


async def emit_ledger_bill(conn: asyncpg.Connection, payload: EventPayload, cause: Cause) -> None:
    await _emit(conn, LEDGER_BILLS, payload, cause)


async def emit_xero_bill_event(
    conn: asyncpg.Connection,
    payload: BillSubmittedInXero | BillLeftSubmittedInXero,
    cause: Cause,
) -> None:
    await _emit(conn, LEDGER_XERO_BILLS, payload, cause)


async def emit_supplier(conn: asyncpg.Connection, supplier: SupplierSynced, cause: Cause) -> None:
    await _emit(conn, LEDGER_SUPPLIERS, supplier, cause)


async def emit_master_data(
    conn: asyncpg.Connection, snapshot: LedgerMasterDataSynced, cause: Cause
) -> None:
    await _emit(conn, LEDGER_MASTER_DATA, snapshot, cause)


async def emit_connection(conn: asyncpg.Connection, row: ConnectionRow) -> None:
    """The connection's state as it now is (the row just written)."""
    changed = LedgerConnectionChanged(
        organisation_id=row.organisation_id,
        ledger=row.ledger,
        status=LedgerConnectionStatus(row.status),
        tenant_id=row.tenant_id,
        tenant_name=row.tenant_name,
        reason=row.last_error,
        changed_by=row.changed_by,
        changed_at=row.changed_at,
    )
    cause = Cause(row.organisation_id, uuid.uuid4(), ledger=Ledger(row.ledger))
    await _emit(conn, LEDGER_CONNECTIONS, changed, cause)
