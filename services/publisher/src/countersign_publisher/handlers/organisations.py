"""While the operator has an organisation suspended its publications pause and its syncs stop
(ADR 0046); its status is kept from approval's news by
``countersign_platform.organisation_status``."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_platform.organisation_status import is_suspended
from countersign_platform.refusals import Conflict

__all__ = ["OrganisationSuspended", "refuse_if_suspended"]


class OrganisationSuspended(Conflict):
    kind = "organisation-suspended"
    title = "Organisation suspended"


async def refuse_if_suspended(pool: asyncpg.Pool, organisation_id: UUID) -> None:
    async with pool.acquire() as conn:
        if await is_suspended(conn, organisation_id):
            raise OrganisationSuspended(
                "the organisation is suspended: nothing is sent to Xero until it is reactivated"
            )
