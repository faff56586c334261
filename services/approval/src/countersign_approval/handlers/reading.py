"""What people see of requests: admins and auditors every request; others the requests they
take part in (as requester, reviewer or approver) and, while standing in for someone away,
the requests that await them."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_platform.refusals import Forbidden

from countersign_approval.db.absences import Absences
from countersign_approval.db.master_data import LedgerMasterData
from countersign_approval.db.requests import RequestFilter, Requests
from countersign_approval.domain.absences import stands_in_on
from countersign_approval.domain.people import Person
from countersign_approval.domain.refusals import RequestNotFound
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.handlers.running import RequestAt

__all__ = ["coding_options", "pending_for", "request_seen_by", "requests_seen_by"]


async def requests_seen_by(
    pool: asyncpg.Pool,
    organisation_id: UUID,
    reader: Person,
    narrowed: RequestFilter,
    limit: int,
) -> list[ApprovalRequest]:
    """The requests ``reader`` may see that match ``narrowed``."""
    async with pool.acquire() as conn:
        return await Requests(conn).listing(
            organisation_id,
            participant=None if reader.sees_every_request else reader.user_id,
            narrowed=narrowed,
            limit=limit,
        )


async def pending_for(
    pool: asyncpg.Pool, organisation_id: UUID, user: Person
) -> list[ApprovalRequest]:
    """What awaits ``user``, and what awaits those away with ``user`` as their substitute."""
    async with pool.acquire() as conn:
        absent = await Absences(conn).standing_in_now(organisation_id, user.user_id)
        return await Requests(conn).listing(
            organisation_id, awaiting=[user.user_id, *(p.user_id for p in absent)]
        )


async def request_seen_by(at: RequestAt, reader: Person) -> ApprovalRequest:
    async with at.pool.acquire() as conn:
        stored = await Requests(conn).get(at.organisation_id, at.request_id)
        if stored is None:
            raise RequestNotFound(f"request {at.request_id} is unknown")
        request = stored.request
        if reader.sees_every_request or reader.user_id in request.participants():
            return request
        absent = await Absences(conn).standing_in_now(at.organisation_id, reader.user_id)
    if not stands_in_on(request, absent):
        raise Forbidden("you take no part in this request")
    return request


async def coding_options(pool: asyncpg.Pool, organisation_id: UUID) -> dict[str, object] | None:
    """The values a line may be coded with now (``MasterData.options``); None before the
    publisher read the organisation's ledger once."""
    async with pool.acquire() as conn:
        master = await LedgerMasterData(conn).current(organisation_id)
    return None if master is None else master.options()
