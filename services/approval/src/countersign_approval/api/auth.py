"""Who is calling: a user's API token (``Authorization: Bearer csk_…``), looked up by its
SHA-256, or an access token approval signed (``Bearer <JWS>``, ADR 0044), verified with
approval's own keys and honoured only while its user is still a user (and, when it was minted
from a sign-in session, while that session lasts). Either way the caller is
the user as they are now, with their current roles. A token of another organisation gets 404,
as if the organisation did not exist."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from countersign_platform.access import looks_like_access_token
from countersign_platform.access_http import unauthorised, verified_caller
from countersign_platform.problems import Problem
from countersign_platform.runtime import Runtime, runtime
from fastapi import Depends, Header

from countersign_approval.components import Components
from countersign_approval.domain.people import Person, Role
from countersign_approval.handlers.access import access_holder
from countersign_approval.handlers.people import token_holder
from countersign_approval.handlers.sign_in import session_alive

__all__ = ["Admin", "CurrentUser", "Reader", "State"]

State = Annotated[Runtime[Components], Depends(runtime)]


async def _holder(state: State, token: str) -> tuple[UUID, Person]:
    if looks_like_access_token(token):
        caller = await verified_caller(state.access, token)
        person = await access_holder(state.pool, caller)
        if person is None:
            raise unauthorised("the token's user has been removed")
        if caller.session_id is not None and not await session_alive(state.pool, caller.session_id):
            raise unauthorised("the token's session has ended")
        return caller.organisation_id, person
    found = await token_holder(state.pool, token) if token else None
    if found is None:
        raise Problem(
            401, "unauthorised", "API token required", "send Authorization: Bearer <your token>"
        )
    return found


async def current_user(
    organisation_id: UUID,
    state: State,
    authorization: Annotated[str | None, Header()] = None,
) -> Person:
    token = (authorization or "").removeprefix("Bearer ").strip()
    users_organisation, person = await _holder(state, token)
    if users_organisation != organisation_id:
        raise Problem(404, "not-found", "No such organisation", f"{organisation_id} is unknown")
    return person


CurrentUser = Annotated[Person, Depends(current_user)]


def _role(*roles: Role) -> object:
    async def check(person: CurrentUser) -> Person:
        if not person.has(*roles):
            wanted = " or ".join(roles)
            raise Problem(403, "forbidden", "Not allowed", f"this needs the {wanted} role")
        return person

    return check


Admin = Annotated[Person, Depends(_role(Role.ADMIN))]
Reader = Annotated[Person, Depends(_role(*Role))]
