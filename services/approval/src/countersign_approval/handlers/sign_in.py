"""People signing in through the web app (ADR 0048): links sent by e-mail, OpenID Connect,
sessions, and the access tokens a session is exchanged for. The web app is the client each
call comes from; a secret (code, session) works only for the client it was issued to."""

from __future__ import annotations

import logging
import uuid
from uuid import UUID

import asyncpg
from countersign_platform.access import AccessRefused, SigningKeys
from countersign_platform.oidc import OidcProvider

from countersign_approval.db.organisations import Organisations
from countersign_approval.db.people import People
from countersign_approval.db.sessions import OidcSignIns, Sessions, SignInCodes
from countersign_approval.domain.refusals import ChooseOrganisation, SignInRefused
from countersign_approval.domain.sign_in import (
    CODE_PREFIX,
    SESSION_PREFIX,
    OpenedSession,
    SignInLink,
    SignInMethod,
    SignInPolicy,
    new_secret,
)
from countersign_approval.domain.tokens import hash_token
from countersign_approval.handlers.access import AccessGrant

__all__ = [
    "redeem_link",
    "session_access",
    "session_alive",
    "sign_in_links",
    "sign_in_with_id_token",
    "sign_out",
]

log = logging.getLogger(__name__)


async def sign_in_links(
    pool: asyncpg.Pool, policy: SignInPolicy, client: str, email: str
) -> list[SignInLink]:
    """A single-use code for each organisation where ``email`` is a current user's; none when
    it is nobody's (the client answers the same either way), nor for a user sent
    ``policy.links_per_window`` codes within a code's lifetime already — so asking again and
    again floods nobody's mailbox."""
    links, withheld = [], 0
    async with pool.acquire() as conn, conn.transaction():
        codes = SignInCodes(conn)
        for organisation_id, name, person in await People(conn).everywhere(email):
            # One ask at a time per person, so two at once cannot both pass the count.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", str(person.user_id))
            if (
                await codes.issued_lately(person.user_id, policy.code_ttl_s)
                >= policy.links_per_window
            ):
                withheld += 1
                continue
            code = new_secret(CODE_PREFIX)
            expires_at = await codes.add(
                hash_token(code), organisation_id, person.user_id, client, policy.code_ttl_s
            )
            links.append(SignInLink(organisation_id, name, person, code, expires_at))
    log.info("sign-in links asked by %s: %d issued, %d withheld", client, len(links), withheld)
    return links


async def _open(
    conn: asyncpg.Connection,
    policy: SignInPolicy,
    client: str,
    organisation_id: UUID,
    user_id: UUID,
    method: SignInMethod,
) -> OpenedSession:
    person = await People(conn).by_id(organisation_id, user_id, lock=False)
    if person is None:
        raise SignInRefused("the user has been removed")
    token, session_id = new_secret(SESSION_PREFIX), uuid.uuid4()
    expires_at = await Sessions(conn).open(
        hash_token(token), session_id, organisation_id, user_id, method, client, policy.max_s
    )
    log.info(
        "session %s opened (%s) for user %s of %s", session_id, method, user_id, organisation_id
    )
    return OpenedSession(token, session_id, organisation_id, person, method, expires_at)


async def redeem_link(
    pool: asyncpg.Pool, policy: SignInPolicy, client: str, code: str
) -> OpenedSession:
    """A session for the link's user; a used, expired, unknown or other client's code is
    refused, all alike."""
    async with pool.acquire() as conn, conn.transaction():
        found = await SignInCodes(conn).redeem(hash_token(code), client)
        if found is None:
            raise SignInRefused("the sign-in link is used, expired or unknown: ask for a new one")
        organisation_id, user_id = found
        return await _open(conn, policy, client, organisation_id, user_id, SignInMethod.LINK)


async def sign_in_with_id_token(
    pool: asyncpg.Pool,
    policy: SignInPolicy,
    provider: OidcProvider,
    client: str,
    id_token: str,
    nonce: str,
    organisation_id: UUID | None,
) -> OpenedSession:
    """A session for the current user with the e-mail address the provider vouches for, in
    ``organisation_id`` (needed only when the address is a user's in several)."""
    try:
        identity = await provider.verify(id_token, nonce)
    except AccessRefused as refused:
        raise SignInRefused(refused.reason) from None
    async with pool.acquire() as conn, conn.transaction():
        places = await People(conn).everywhere(identity.email)
        if organisation_id is not None:
            places = [p for p in places if p[0] == organisation_id]
        if not places:
            raise SignInRefused(f"{identity.email} is not a user of Countersign here")
        if len(places) > 1:
            raise ChooseOrganisation([(org, name) for org, name, _ in places])
        if not await OidcSignIns(conn).first_use(hash_token(id_token), identity.expires_at):
            raise SignInRefused("this sign-in was used already: sign in again")
        chosen, _, person = places[0]
        return await _open(conn, policy, client, chosen, person.user_id, SignInMethod.OIDC)


async def session_access(
    pool: asyncpg.Pool,
    policy: SignInPolicy,
    keys: SigningKeys,
    client: str,
    session_token: str,
    ttl_s: int,
) -> AccessGrant:
    """An access token naming the session's user (claim ``sid``) as they are now."""
    async with pool.acquire() as conn, conn.transaction():
        found = await Sessions(conn).use(hash_token(session_token), client, policy.idle_s)
        if found is None:
            raise SignInRefused("the session has ended: sign in again")
        session_id, organisation_id, user_id = found
        person = await People(conn).by_id(organisation_id, user_id, lock=False)
        org = await Organisations(conn).get(organisation_id)
    if person is None or org is None:
        raise SignInRefused("the session has ended: sign in again")
    caller = person.caller(organisation_id, session_id)
    token = keys.issue(caller, ttl_s)
    return AccessGrant(token, ttl_s, organisation_id, sorted(caller.roles))


async def sign_out(pool: asyncpg.Pool, client: str, session_token: str) -> None:
    """Ends the session (nothing to do when it had ended already)."""
    async with pool.acquire() as conn:
        session_id = await Sessions(conn).revoke(hash_token(session_token), client)
    if session_id is not None:
        log.info("session %s signed out", session_id)


async def session_alive(pool: asyncpg.Pool, session_id: UUID) -> bool:
    async with pool.acquire() as conn:
        return await Sessions(conn).live(session_id)
