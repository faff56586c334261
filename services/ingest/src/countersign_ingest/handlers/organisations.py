"""A suspended organisation's items are refused (ADR 0046); its status is kept from approval's
news by ``countersign_platform.organisation_status``."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_platform.organisation_status import is_suspended

from countersign_ingest.domain.refusals import OrganisationSuspended

__all__ = ["refuse_if_suspended"]


async def refuse_if_suspended(conn: asyncpg.Connection, organisation_id: UUID) -> None:
    """Raises ``OrganisationSuspended`` while the operator has the organisation suspended."""
    if await is_suspended(conn, organisation_id):
        raise OrganisationSuspended(
            "the organisation is suspended: Countersign takes no item until it is reactivated"
        )
