"""The administrator's API for people: added (their token shown once), renamed or given
other roles, given a new token, removed; and absences, which users may also set for
themselves."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from countersign_approval.api.auth import Admin, CurrentUser, State
from countersign_approval.api.operator import IssuedUserOut, issued_out
from countersign_approval.api.routing import organisation_router
from countersign_approval.domain.absences import Absence
from countersign_approval.domain.people import Person, Role
from countersign_approval.domain.workflow import Email, Name
from countersign_approval.handlers import absences, people

__all__ = ["router"]

router = organisation_router("administration")


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    name: Name
    roles: list[Role] = Field(min_length=1, max_length=len(Role))


class UserChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=len(Role))


class AbsenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    substitute_email: Email = Field(description="decides in the user's place while they are away")
    starts_at: AwareDatetime
    ends_at: AwareDatetime = Field(description="after starts_at, in the future, ≤ 366 days on")


class AbsenceOut(BaseModel):
    substitute_email: str
    starts_at: datetime
    ends_at: datetime


class StandInOut(BaseModel):
    user_id: UUID
    email: str
    name: str


class OutOfOfficeOut(BaseModel):
    absence: AbsenceOut | None = Field(description="the user's absence, set and not over yet")
    standing_in_for: list[StandInOut] = Field(
        description="who is away now with the user deciding in their place"
    )


class UserOut(BaseModel):
    user_id: UUID
    email: str
    name: str
    roles: list[str]
    absence: AbsenceOut | None = Field(default=None, description="set and not over yet")


@router.post("/users", status_code=201, summary="Add a user; their API token is shown once")
async def create_user(
    organisation_id: UUID, body: UserIn, state: State, admin: Admin
) -> IssuedUserOut:
    """The new user is told by e-mail that they may sign in (the notifier, on UserAdded)."""
    roles = frozenset(body.roles)
    issued = await people.add_user(state.pool, organisation_id, body.email, body.name, roles, admin)
    return issued_out(issued)


def _user_out(person: Person, absence: Absence | None = None) -> UserOut:
    return UserOut(
        user_id=person.user_id,
        email=person.email,
        name=person.name,
        roles=sorted(person.roles),
        absence=None if absence is None else _absence_out(absence),
    )


def _absence_out(absence: Absence) -> AbsenceOut:
    return AbsenceOut(
        substitute_email=absence.substitute.email,
        starts_at=absence.starts_at,
        ends_at=absence.ends_at,
    )


@router.put(
    "/users/{user_id}/absence",
    summary="Out of office: who decides in the user's place, from when until when",
    description="The user themselves or an admin. While the absence lasts, the substitute sees"
    " the requests that await the user among their own pending ones and approves or rejects"
    " them on the user's behalf (recorded as such). Replaces an earlier absence; ends by itself.",
)
async def put_absence(
    organisation_id: UUID, user_id: UUID, body: AbsenceIn, state: State, user: CurrentUser
) -> AbsenceOut:
    absence = await absences.set_absence(state.pool, organisation_id, user_id, user, body)
    return _absence_out(absence)


@router.get(
    "/users/{user_id}/out-of-office",
    summary="The user's absence, and whom they stand in for now",
    description="The user themselves or an admin.",
)
async def get_out_of_office(
    organisation_id: UUID, user_id: UUID, state: State, user: CurrentUser
) -> OutOfOfficeOut:
    found = await absences.out_of_office(state.pool, organisation_id, user_id, user)
    return OutOfOfficeOut(
        absence=None if found.absence is None else _absence_out(found.absence),
        standing_in_for=[
            StandInOut(user_id=p.user_id, email=p.email, name=p.name) for p in found.standing_in_for
        ],
    )


@router.delete(
    "/users/{user_id}/absence",
    status_code=204,
    response_class=Response,
    summary="Back early: the substitute no longer decides for the user",
)
async def delete_absence(
    organisation_id: UUID, user_id: UUID, state: State, user: CurrentUser
) -> Response:
    await absences.clear_absence(state.pool, organisation_id, user_id, user)
    return Response(status_code=204)


@router.patch(
    "/users/{user_id}",
    summary="Rename a user or change their roles",
    description="Refused (409) when a role they would lose is still needed:"
    " the only admin, a place in the current workflow or in a version pending requests run on,"
    " a decision pending requests await."
    " The email is the user's identity and does not change.",
)
async def patch_user(
    organisation_id: UUID, user_id: UUID, body: UserChangeIn, state: State, admin: Admin
) -> UserOut:
    changed = await people.change_user(
        state.pool,
        organisation_id,
        user_id,
        name=body.name,
        roles=frozenset(body.roles) if body.roles else None,
        by=admin.user_id,
    )
    return _user_out(changed)


@router.post(
    "/users/{user_id}/token",
    status_code=201,
    summary="Issue a new API token (shown once); the user's earlier tokens stop working",
)
async def renew_token(
    organisation_id: UUID, user_id: UUID, state: State, admin: Admin
) -> IssuedUserOut:
    return issued_out(await people.issue_token(state.pool, organisation_id, user_id, admin.user_id))


@router.delete(
    "/users/{user_id}",
    status_code=204,
    response_class=Response,
    summary="Remove a user: their tokens stop working at once",
    description="Refused (409) while work depends on them: the organisation's only admin, named"
    " in the current workflow or in one pending requests run on, or awaited on a pending"
    " request. Their past decisions stay in every audit trail.",
)
async def delete_user(organisation_id: UUID, user_id: UUID, state: State, admin: Admin) -> Response:
    await people.remove_user(state.pool, organisation_id, user_id, admin.user_id)
    return Response(status_code=204)


@router.get("/users", summary="The organisation's users")
async def list_users(organisation_id: UUID, state: State, _: Admin) -> list[UserOut]:
    return [_user_out(p, absence) for p, absence in await people.users(state.pool, organisation_id)]
