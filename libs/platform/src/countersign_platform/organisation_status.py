"""An organisation's status as approval (its system of record) announces it on
approval.organisations.v1, kept by the services that act on it (ingest refuses a suspended
organisation's items, the publisher pauses its publications; ADR 0046). Each keeps it in its
own schema, in a table ``organisation_status (organisation_id, status, occurred_at)``; the
newest event wins, so a redelivered older one never undoes a change.

    Subscription(ORGANISATIONS, "<group>", On(OrganisationRegistered, record_organisation),
                 On(OrganisationUpdated, record_organisation))

The services that act on the via-Xero mode (ADR 0058: ingest refuses new Dext items, the
publisher pulls bills submitted in Xero) keep the organisation's ledger mode the same way, in
``ledger_modes (organisation_id, ledger_mode, occurred_at)``, with ``record_ledger_mode``.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_contracts import (
    Envelope,
    LedgerMode,
    OrganisationRegistered,
    OrganisationStatus,
    OrganisationUpdated,
)

__all__ = [
    "NOT_SUSPENDED",
    "is_suspended",
    "is_via_xero",
    "record_ledger_mode",
    "record_organisation",
]

NOT_SUSPENDED = (
    "NOT EXISTS (SELECT 1 FROM organisation_status s"
    " WHERE s.organisation_id = {table}.organisation_id AND s.status = 'suspended')"
)
"""A SQL condition on ``{table}.organisation_id``: the operator has not suspended it."""


async def record_organisation(
    conn: asyncpg.Connection, envelope: Envelope[OrganisationRegistered | OrganisationUpdated]
) -> None:
    """Keeps the status the event announces, unless a newer one is kept already."""
    await conn.execute(
        "INSERT INTO organisation_status (organisation_id, status, occurred_at)"
        " VALUES ($1, $2, $3) ON CONFLICT (organisation_id) DO UPDATE"
        " SET status = excluded.status, occurred_at = excluded.occurred_at"
        " WHERE organisation_status.occurred_at <= excluded.occurred_at",
        envelope.organisation_id,
        envelope.payload.status.value,
        envelope.occurred_at,
    )


async def is_suspended(conn: asyncpg.Connection, organisation_id: UUID) -> bool:
    found = await conn.fetchval(
        "SELECT status FROM organisation_status WHERE organisation_id = $1", organisation_id
    )
    return bool(found == OrganisationStatus.SUSPENDED)


async def record_ledger_mode(
    conn: asyncpg.Connection, envelope: Envelope[OrganisationRegistered | OrganisationUpdated]
) -> None:
    """Keeps the ledger mode the event announces, unless a newer one is kept already."""
    await conn.execute(
        "INSERT INTO ledger_modes (organisation_id, ledger_mode, occurred_at)"
        " VALUES ($1, $2, $3) ON CONFLICT (organisation_id) DO UPDATE"
        " SET ledger_mode = excluded.ledger_mode, occurred_at = excluded.occurred_at"
        " WHERE ledger_modes.occurred_at <= excluded.occurred_at",
        envelope.organisation_id,
        envelope.payload.ledger_mode.value,
        envelope.occurred_at,
    )


async def is_via_xero(conn: asyncpg.Connection, organisation_id: UUID) -> bool:
    found = await conn.fetchval(
        "SELECT ledger_mode FROM ledger_modes WHERE organisation_id = $1", organisation_id
    )
    return bool(found == LedgerMode.VIA_XERO)
