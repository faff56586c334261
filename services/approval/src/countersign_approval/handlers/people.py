"""An organisation's people: added with a token, given a new token, renamed or given other
roles, removed; and who a token belongs to. Removing someone or changing their roles holds the
organisation's workflow lock, so no workflow naming them is saved, and no request starts or is
decided, while the rules (``domain.staffing``) check what still depends on them."""

from __future__ import annotations

import logging
import uuid
from uuid import UUID

import asyncpg

from countersign_approval.db.absences import Absences
from countersign_approval.db.organisations import Organisations
from countersign_approval.db.people import People
from countersign_approval.db.requests import Requests
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.absences import Absence
from countersign_approval.domain.people import Person, Role
from countersign_approval.domain.refusals import UserExists, UserNotFound
from countersign_approval.domain.staffing import WorkOnHand, check_not_needed
from countersign_approval.domain.tokens import IssuedUser, hash_token, new_token
from countersign_approval.handlers import people_events

__all__ = [
    "add_user",
    "change_user",
    "enrol",
    "issue_token",
    "locked_user",
    "remove_user",
    "token_holder",
    "users",
]

log = logging.getLogger(__name__)


async def enrol(
    conn: asyncpg.Connection, organisation_id: UUID, email: str, name: str, roles: frozenset[Role],
    by: Person | None = None,
) -> IssuedUser:  # fmt: skip
    """Adds a user in the caller's transaction (invited by ``by``, an admin; None: the
    operator registering the organisation); refused when the email is taken."""
    person = Person(user_id=uuid.uuid4(), email=email.strip().lower(), name=name, roles=roles)
    people = People(conn)
    if not await people.add(organisation_id, person):
        raise UserExists(f"the organisation already has a user {person.email}")
    await people_events.user_added(conn, organisation_id, person, by)
    return await _issue(people, person)


async def _issue(people: People, person: Person) -> IssuedUser:
    issued = new_token(person)
    await people.add_token(person.user_id, issued.token_sha256)
    return issued


async def locked_user(conn: asyncpg.Connection, organisation_id: UUID, user_id: UUID) -> Person:
    """The current user, locked until the transaction ends; refused when there is none."""
    person = await People(conn).by_id(organisation_id, user_id, lock=True)
    if person is None:
        raise UserNotFound(f"{user_id} is not a user of the organisation")
    return person


async def add_user(
    pool: asyncpg.Pool, organisation_id: UUID, email: str, name: str, roles: frozenset[Role],
    by: Person | None,
) -> IssuedUser:  # fmt: skip
    async with pool.acquire() as conn, conn.transaction():
        return await enrol(conn, organisation_id, email, name, roles, by)


async def issue_token(
    pool: asyncpg.Pool, organisation_id: UUID, user_id: UUID, issued_by: UUID
) -> IssuedUser:
    """A new token for the user; every earlier one stops working."""
    async with pool.acquire() as conn, conn.transaction():
        person = await locked_user(conn, organisation_id, user_id)
        people = People(conn)
        await people.revoke_tokens(user_id)
        issued = await _issue(people, person)
    log.info("user %s: new API token issued by %s", user_id, issued_by)
    return issued


async def token_holder(pool: asyncpg.Pool, token: str) -> tuple[UUID, Person] | None:
    """The organisation and current user a live token belongs to."""
    async with pool.acquire() as conn:
        return await People(conn).by_token(hash_token(token))


async def users(pool: asyncpg.Pool, organisation_id: UUID) -> list[tuple[Person, Absence | None]]:
    """The current users by email, each with their absence when it is not over yet."""
    async with pool.acquire() as conn:
        people = await People(conn).directory(organisation_id)
        absences = await Absences(conn).of_organisation(organisation_id)
    return [(p, absences.get(p.user_id)) for p in people.values()]


async def _work_on_hand(
    conn: asyncpg.Connection, organisation_id: UUID, person: Person
) -> WorkOnHand:
    workflows, requests = Workflows(conn), Requests(conn)
    running = {}
    for version in await requests.pending_versions(organisation_id):
        saved = await workflows.get(organisation_id, version)
        assert saved is not None
        running[version] = saved.document
    directory = await People(conn).directory(organisation_id)
    org = await Organisations(conn).get(organisation_id)
    return WorkOnHand(
        others=[p for p in directory.values() if p.user_id != person.user_id],
        current=await workflows.get(organisation_id),
        running=running,
        awaiting=await requests.pending_awaiting(organisation_id, person.user_id),
        stands_in_for=await Absences(conn).stood_in_by(person.user_id),
        owns_pulled_requests=org is not None
        and org.via_xero
        and org.via_xero_requester == person.user_id,
    )


async def remove_user(
    pool: asyncpg.Pool, organisation_id: UUID, user_id: UUID, removed_by: UUID
) -> Person:
    """Removes the user and revokes their tokens, unless work still depends on them (refused,
    naming it)."""
    async with pool.acquire() as conn, conn.transaction():
        await Workflows(conn).lock(organisation_id, exclusive=True)
        person = await locked_user(conn, organisation_id, user_id)
        check_not_needed(person, None, await _work_on_hand(conn, organisation_id, person))
        await People(conn).remove(user_id, removed_by)
        await people_events.user_removed(conn, organisation_id, person)
    log.info("user %s removed by %s", user_id, removed_by)
    return person


async def change_user(
    pool: asyncpg.Pool,
    organisation_id: UUID,
    user_id: UUID,
    *,
    name: str | None,
    roles: frozenset[Role] | None,
    by: UUID,
) -> Person:
    """Renames the user or changes their roles, unless a role they would lose is still needed
    (refused, naming where). Locks as remove_user does."""
    async with pool.acquire() as conn, conn.transaction():
        await Workflows(conn).lock(organisation_id, exclusive=True)
        person = await locked_user(conn, organisation_id, user_id)
        changed = person.changed(name, roles)
        if changed.roles != person.roles:
            check_not_needed(person, changed, await _work_on_hand(conn, organisation_id, person))
        if changed != person:
            await People(conn).update(changed)
            await people_events.user_changed(conn, organisation_id, changed)
    log.info("user %s changed by %s: roles %s", user_id, by, sorted(changed.roles))
    return changed
