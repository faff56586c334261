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

from enum import StrEnum
from typing import Any
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


async def _keep_newest(
    conn: asyncpg.Connection, table: str, column: str, envelope: Envelope[Any], value: StrEnum
) -> None:
    """Keeps ``value`` for the envelope's organisation in ``table``, unless a value of a newer
    event is kept already (events of the topic may come late)."""
    await conn.execute(
        f"INSERT INTO {table} (organisation_id, {column}, occurred_at) VALUES ($1, $2, $3)"
        f" ON CONFLICT (organisation_id) DO UPDATE SET {column} = excluded.{column},"
        f" occurred_at = excluded.occurred_at WHERE {table}.occurred_at <= excluded.occurred_at",
        envelope.organisation_id,
        value.value,
        envelope.occurred_at,
    )


async def _kept(conn: asyncpg.Connection, table: str, column: str, organisation_id: UUID) -> Any:
    return await conn.fetchval(
        f"SELECT {column} FROM {table} WHERE organisation_id = $1", organisation_id
    )


async def record_organisation(
    conn: asyncpg.Connection, envelope: Envelope[OrganisationRegistered | OrganisationUpdated]
) -> None:
    """Keeps the status the event announces, unless a newer one is kept already."""
    await _keep_newest(conn, "organisation_status", "status", envelope, envelope.payload.status)


async def is_suspended(conn: asyncpg.Connection, organisation_id: UUID) -> bool:
    found = await _kept(conn, "organisation_status", "status", organisation_id)
    return bool(found == OrganisationStatus.SUSPENDED)


async def record_ledger_mode(
    conn: asyncpg.Connection, envelope: Envelope[OrganisationRegistered | OrganisationUpdated]
) -> None:
    """Keeps the ledger mode the event announces, unless a newer one is kept already."""
    await _keep_newest(conn, "ledger_modes", "ledger_mode", envelope, envelope.payload.ledger_mode)


async def is_via_xero(conn: asyncpg.Connection, organisation_id: UUID) -> bool:
    found = await _kept(conn, "ledger_modes", "ledger_mode", organisation_id)
    return bool(found == LedgerMode.VIA_XERO)
