"""E-mail buttons (ADR 0048): a single-use grant for one person's decision on one step of one
request. The notifier asks for one per person it tells; the web app shows what a grant is for
and, on the person's confirmation, decides with it — approval does the deciding, as that
person, and spends the grant in the same transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from countersign_approval.db.action_grants import ActionGrants, StoredGrant
from countersign_approval.db.people import People
from countersign_approval.db.requests import Requests
from countersign_approval.domain.people import Person
from countersign_approval.domain.refusals import (
    InvalidAction,
    OutOfTurn,
    RequestNotFound,
    SignInRefused,
)
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.sign_in import new_secret
from countersign_approval.domain.tokens import hash_token
from countersign_approval.handlers.decisions import approve_request, reject_request
from countersign_approval.handlers.running import RequestAt

__all__ = [
    "GRANT_PREFIX",
    "IssuedGrant",
    "decide_with_grant",
    "grant_action",
    "grant_preview",
]

log = logging.getLogger(__name__)

GRANT_PREFIX = "csg_"
GRANT_LIFETIME = timedelta(days=7)
_REFUSED = "this link is used, expired or no longer for you: open the request instead"


@dataclass(frozen=True)
class IssuedGrant:
    grant: str  # handed to the client only, never logged
    expires_at: datetime
    step: int


@dataclass
class _Approval:
    comment: str | None
    step: int | None
    on_behalf_of: str | None = None


@dataclass
class _Rejection:
    reason: str
    step: int | None
    on_behalf_of: str | None = None


async def grant_action(
    pool: asyncpg.Pool, client: str, organisation_id: UUID, request_id: UUID, user_id: UUID
) -> IssuedGrant:
    """A grant for ``user_id``'s decision on the request's current step; 409 when the step
    does not wait for them."""
    async with pool.acquire() as conn, conn.transaction():
        stored = await Requests(conn).get(organisation_id, request_id)
        if stored is None:
            raise RequestNotFound(f"request {request_id} is unknown")
        request = stored.request
        step = request.current_step
        if step is None or not step.waits_for(user_id):
            raise OutOfTurn("the request does not wait for this person's decision")
        index = request.step_ref(step).index
        token, expires_at = new_secret(GRANT_PREFIX), datetime.now(UTC) + GRANT_LIFETIME
        grant = StoredGrant(organisation_id, request_id, user_id, index)
        await ActionGrants(conn).add(hash_token(token), grant, client, expires_at)
    log.info(
        "action grant for user %s on request %s step %d (%s)", user_id, request_id, index, client
    )
    return IssuedGrant(token, expires_at, index)


async def _live(conn: asyncpg.Connection, token: str) -> tuple[StoredGrant, Person]:
    found = await ActionGrants(conn).live(hash_token(token))
    person = (
        None
        if found is None
        else await People(conn).by_id(found.organisation_id, found.user_id, lock=False)
    )
    if found is None or person is None:
        raise SignInRefused(_REFUSED)
    return found, person


async def grant_preview(pool: asyncpg.Pool, token: str) -> tuple[ApprovalRequest, Person, int]:
    """What the grant is for, for the confirmation page: the request, whose decision, which
    step. Refused when it is used, expired, or its person was removed."""
    async with pool.acquire() as conn:
        found, person = await _live(conn, token)
        stored = await Requests(conn).get(found.organisation_id, found.request_id)
    if stored is None:
        raise SignInRefused(_REFUSED)
    return stored.request, person, found.step_index


async def decide_with_grant(
    pool: asyncpg.Pool, token: str, approve: bool, text: str | None
) -> ApprovalRequest:
    """The person's decision, as if they had signed in and made it on the step the grant names
    (409 when the request moved on); the grant is spent with it, or not at all."""
    if not approve and not (text or "").strip():
        raise InvalidAction("a rejection needs its reason: the requester reads it")
    async with pool.acquire() as conn:
        found, person = await _live(conn, token)

    async def spend(conn: asyncpg.Connection) -> None:
        if not await ActionGrants(conn).spend(hash_token(token)):
            raise SignInRefused(_REFUSED)

    at = RequestAt(pool, found.organisation_id, found.request_id)
    if approve:
        return await approve_request(at, person, _Approval(text, found.step_index), spend)
    return await reject_request(at, person, _Rejection(text or "", found.step_index), spend)
