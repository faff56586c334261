"""Access tokens (ADR 0044): a user's API token exchanged for a short-lived signed token every
service trusts, and the current user an access token names when it comes back to approval."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from countersign_platform.access import Caller, SigningKeys

from countersign_approval.db.people import People
from countersign_approval.domain.people import Person
from countersign_approval.handlers.people import token_holder

__all__ = ["AccessGrant", "access_holder", "grant_access"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessGrant:
    token: str  # shown to the caller only, never logged
    expires_in: int
    organisation_id: UUID
    roles: list[str]


async def grant_access(
    pool: asyncpg.Pool, keys: SigningKeys, api_token: str, ttl_s: int
) -> AccessGrant | None:
    """An access token for the current user of a live API token; None for any other token."""
    found = await token_holder(pool, api_token)
    if found is None:
        return None
    organisation_id, person = found
    caller = person.caller(organisation_id)
    token = keys.issue(caller, ttl_s)
    log.info(
        "user %s of organisation %s: access token issued for %d s",
        person.user_id,
        organisation_id,
        ttl_s,
    )
    return AccessGrant(token, ttl_s, organisation_id, sorted(caller.roles))


async def access_holder(pool: asyncpg.Pool, caller: Caller) -> Person | None:
    """The user an access token names, as they are now; None once they have been removed."""
    async with pool.acquire() as conn:
        return await People(conn).by_id(caller.organisation_id, caller.user_id, lock=False)
