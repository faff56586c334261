"""Approval's news of organisations: their status, which decides whether Dext's items are
taken (the operator may suspend an organisation; approval is the system of record)."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_contracts import Envelope, OrganisationRegistered, OrganisationUpdated

from countersign_ingest.db.organisations import OrganisationStatus
from countersign_ingest.domain.refusals import OrganisationSuspended

__all__ = ["record_organisation", "refuse_if_suspended"]


async def record_organisation(
    conn: asyncpg.Connection, envelope: Envelope[OrganisationRegistered | OrganisationUpdated]
) -> None:
    status = envelope.payload.status.value
    await OrganisationStatus(conn).keep_newest(
        envelope.organisation_id, status, envelope.occurred_at
    )


async def refuse_if_suspended(conn: asyncpg.Connection, organisation_id: UUID) -> None:
    """Raises ``OrganisationSuspended`` while the operator has the organisation suspended."""
    if await OrganisationStatus(conn).status_of(organisation_id) == "suspended":
        raise OrganisationSuspended(
            "the organisation is suspended: Countersign takes no item until it is reactivated"
        )
