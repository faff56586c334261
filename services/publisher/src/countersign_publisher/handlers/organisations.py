"""Approval's news of organisations: while the operator has one suspended, its publications
pause and its syncs stop; reactivated, they resume where they were."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_contracts import Envelope, OrganisationRegistered, OrganisationUpdated
from countersign_platform.refusals import Conflict

from countersign_publisher.db.organisations import OrganisationStatus

__all__ = ["OrganisationSuspended", "record_organisation", "refuse_if_suspended"]


class OrganisationSuspended(Conflict):
    kind = "organisation-suspended"
    title = "Organisation suspended"


async def record_organisation(
    conn: asyncpg.Connection, envelope: Envelope[OrganisationRegistered | OrganisationUpdated]
) -> None:
    status = envelope.payload.status.value
    await OrganisationStatus(conn).keep_newest(
        envelope.organisation_id, status, envelope.occurred_at
    )


async def refuse_if_suspended(pool: asyncpg.Pool, organisation_id: UUID) -> None:
    async with pool.acquire() as conn:
        if await OrganisationStatus(conn).suspended(organisation_id):
            raise OrganisationSuspended(
                "the organisation is suspended: nothing is sent to Xero until it is reactivated"
            )
