"""The administrator's API: people (added, renamed or given other roles, given a new token,
away with a substitute — which users may also set for themselves —, removed), the workflow and
its versions, and interventions on running requests (force-approve, force-reject, reassign,
retry a failed publication)."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.problems import Problem
from fastapi import APIRouter, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from countersign_approval.api.auth import Admin, CurrentUser, State
from countersign_approval.api.operator import IssuedUserOut
from countersign_approval.api.requests import Comment
from countersign_approval.api.routing import OnRequest
from countersign_approval.api.views import RequestView, request_view
from countersign_approval.domain.absences import Absence
from countersign_approval.domain.people import Person, Role
from countersign_approval.domain.tokens import IssuedUser
from countersign_approval.domain.workflow import Email, Name, SavedWorkflow, Workflow
from countersign_approval.handlers.absences import clear_absence, set_absence
from countersign_approval.handlers.interventions import (
    approve_by_force,
    reassign_place,
    reject_by_force,
    retry_failed_publication,
)
from countersign_approval.handlers.people import (
    add_user,
    change_user,
    issue_token,
    remove_user,
    users,
)
from countersign_approval.handlers.workflows import (
    save_workflow,
    saved_workflow,
    workflow_versions,
)

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/v1/organisations/{organisation_id}",
    tags=["administration"],
    route_class=StrictJsonRoute,
)


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


class UserOut(BaseModel):
    user_id: UUID
    email: str
    name: str
    roles: list[str]
    absence: AbsenceOut | None = Field(default=None, description="set and not over yet")


class WorkflowVersionOut(BaseModel):
    workflow_id: UUID
    version: int
    saved_by: UUID
    saved_at: datetime
    document: Workflow


class ForceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment = Field(description="required: why the workflow is overridden")


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_email: Email
    to_email: Email
    comment: Comment | None = None


class RetryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment | None = None


def _version_out(saved: SavedWorkflow) -> WorkflowVersionOut:
    return WorkflowVersionOut(
        workflow_id=saved.workflow_id,
        version=saved.version,
        saved_by=saved.saved_by,
        saved_at=saved.saved_at,
        document=saved.document,
    )


@router.post("/users", status_code=201, summary="Add a user; their API token is shown once")
async def create_user(organisation_id: UUID, body: UserIn, state: State, _: Admin) -> IssuedUserOut:
    issued = await add_user(
        state.pool, organisation_id, body.email, body.name, frozenset(body.roles)
    )
    return _issued_out(issued)


def _issued_out(issued: IssuedUser) -> IssuedUserOut:
    return IssuedUserOut(
        user_id=issued.person.user_id,
        email=issued.person.email,
        name=issued.person.name,
        roles=sorted(issued.person.roles),
        token=issued.token,
    )


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
    absence = await set_absence(
        state.pool,
        organisation_id,
        user_id,
        user,
        body.substitute_email,
        body.starts_at,
        body.ends_at,
    )
    log.info("user %s away until %s, set by %s", user_id, absence.ends_at, user.user_id)
    return _absence_out(absence)


@router.delete(
    "/users/{user_id}/absence",
    status_code=204,
    response_class=Response,
    summary="Back early: the substitute no longer decides for the user",
)
async def delete_absence(
    organisation_id: UUID, user_id: UUID, state: State, user: CurrentUser
) -> Response:
    await clear_absence(state.pool, organisation_id, user_id, user)
    return Response(status_code=204)


@router.patch(
    "/users/{user_id}",
    summary="Rename a user or change their roles",
    description="Refused (409) when a role they would lose is still needed: the only admin, a"
    " place in the current workflow or in a version pending requests run on, a decision pending"
    " requests await. The email is the user's identity and does not change.",
)
async def patch_user(
    organisation_id: UUID, user_id: UUID, body: UserChangeIn, state: State, admin: Admin
) -> UserOut:
    changed = await change_user(
        state.pool,
        organisation_id,
        user_id,
        name=body.name,
        roles=frozenset(body.roles) if body.roles else None,
    )
    log.info("user %s changed by %s: roles %s", user_id, admin.user_id, sorted(changed.roles))
    return _user_out(changed)


@router.post(
    "/users/{user_id}/token",
    status_code=201,
    summary="Issue a new API token (shown once); the user's earlier tokens stop working",
)
async def renew_token(
    organisation_id: UUID, user_id: UUID, state: State, admin: Admin
) -> IssuedUserOut:
    issued = await issue_token(state.pool, organisation_id, user_id)
    log.info("user %s: new API token issued by %s", user_id, admin.user_id)
    return _issued_out(issued)


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
    await remove_user(state.pool, organisation_id, user_id, admin.user_id)
    log.info("user %s removed by %s", user_id, admin.user_id)
    return Response(status_code=204)


@router.get("/users", summary="The organisation's users")
async def list_users(organisation_id: UUID, state: State, _: Admin) -> list[UserOut]:
    return [_user_out(p, absence) for p, absence in await users(state.pool, organisation_id)]


@router.put("/workflow", status_code=201, summary="Save the workflow as its next version")
async def put_workflow(
    organisation_id: UUID, document: Workflow, state: State, admin: Admin
) -> WorkflowVersionOut:
    saved = await save_workflow(state.pool, organisation_id, document, admin.user_id)
    return _version_out(saved)


@router.get("/workflow", summary="The current workflow")
async def get_workflow(organisation_id: UUID, state: State, _: Admin) -> WorkflowVersionOut:
    saved = await saved_workflow(state.pool, organisation_id)
    if saved is None:
        raise Problem(404, "not-found", "No workflow yet", "PUT one to /workflow")
    return _version_out(saved)


@router.get("/workflow/versions", summary="Every saved version, oldest first")
async def list_workflow_versions(
    organisation_id: UUID, state: State, _: Admin
) -> list[WorkflowVersionOut]:
    return [_version_out(s) for s in await workflow_versions(state.pool, organisation_id)]


@router.get("/workflow/versions/{version}", summary="One saved version")
async def get_workflow_version(
    organisation_id: UUID, version: int, state: State, _: Admin
) -> WorkflowVersionOut:
    saved = await saved_workflow(state.pool, organisation_id, version)
    if saved is None:
        raise Problem(404, "not-found", "No such workflow version", f"version {version}")
    return _version_out(saved)


@router.post("/requests/{request_id}/force-approve", summary="Authorise now, skipping the rest")
async def force_approve_request(at: OnRequest, body: ForceIn, admin: Admin) -> RequestView:
    return request_view(await approve_by_force(at, admin, body.comment))


@router.post("/requests/{request_id}/force-reject", summary="Reject now, whatever the step")
async def force_reject_request(at: OnRequest, body: ForceIn, admin: Admin) -> RequestView:
    return request_view(await reject_by_force(at, admin, body.comment))


@router.post("/requests/{request_id}/reassign", summary="Hand an approver's place to another")
async def reassign_approver(at: OnRequest, body: ReassignIn, admin: Admin) -> RequestView:
    return request_view(await reassign_place(at, admin, body))


@router.post("/requests/{request_id}/retry-publication", summary="Ask the publisher to try again")
async def retry(at: OnRequest, body: RetryIn, admin: Admin) -> RequestView:
    return request_view(await retry_failed_publication(at, admin, body.comment))
