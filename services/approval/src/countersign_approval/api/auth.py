"""Who is calling: a user's API token (``Authorization: Bearer csk_…``), looked up by its
SHA-256. A token of another organisation gets 404, as if the organisation did not exist."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from countersign_platform.loops import BackgroundLoop
from countersign_platform.problems import Problem
from countersign_platform.runtime import Runtime, runtime
from fastapi import Depends, Header

from countersign_approval.domain.people import Person, Role
from countersign_approval.handlers.people import token_holder

__all__ = ["Admin", "CurrentUser", "Reader", "State"]

State = Annotated[Runtime[BackgroundLoop], Depends(runtime)]


async def current_user(
    organisation_id: UUID,
    state: State,
    authorization: Annotated[str | None, Header()] = None,
) -> Person:
    token = (authorization or "").removeprefix("Bearer ").strip()
    found = await token_holder(state.pool, token) if token else None
    if found is None:
        raise Problem(
            401, "unauthorised", "API token required", "send Authorization: Bearer <your token>"
        )
    users_organisation, person = found
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
