"""The approver's and reviewer's API: my pending requests, one request, decide, recode."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from countersign_contracts import MultilineText, Text
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.problems import Problem
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from countersign_approval.api.auth import CurrentUser, Reader, State
from countersign_approval.api.views import (
    RequestSummary,
    RequestView,
    request_summary,
    request_view,
)
from countersign_approval.db.absences import Absences
from countersign_approval.db.requests import Requests
from countersign_approval.domain.coding import CodingEdit
from countersign_approval.domain.people import Participant, Person, Role
from countersign_approval.domain.refusals import InvalidAction, NotAParticipant, OutOfTurn
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.review import edit_coding, submit_review
from countersign_approval.domain.run import Run
from countersign_approval.domain.workflow import Email
from countersign_approval.handlers.decisions import act_on_request, require_approver

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/organisations/{organisation_id}", tags=["requests"], route_class=StrictJsonRoute
)

Comment = Annotated[MultilineText, Field(min_length=1, max_length=4000)]


OnBehalfOf = Field(
    default=None,
    description="as a substitute: the absent approver you decide for (needed only when you"
    " stand in for more than one approver of the step)",
)


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment | None = None
    step: int | None = Field(
        default=None,
        ge=0,
        description="the step you are deciding, as you saw it; 409 if it has moved on",
    )
    on_behalf_of: Email | None = OnBehalfOf


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Comment = Field(description="required: the requester sees why")
    step: int | None = Field(default=None, ge=0)
    on_behalf_of: Email | None = OnBehalfOf


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment | None = None


def _sees_all(user: CurrentUser) -> bool:
    return user.has(Role.ADMIN, Role.AUDITOR)


@router.get("/requests", summary="Requests by item or state")
async def list_requests(
    organisation_id: UUID,
    state: State,
    user: Reader,
    dext_item_id: Text | None = None,
    request_state: Annotated[Text | None, Query(alias="state")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RequestSummary]:
    async with state.pool.acquire() as conn:
        found = await Requests(conn).listing(
            organisation_id,
            participant=None if _sees_all(user) else user.user_id,
            dext_item_id=dext_item_id,
            state=request_state,
            limit=limit,
        )
    return [request_summary(r) for r in found]


async def _standing_in(state: State, organisation_id: UUID, user: Person) -> list[Person]:
    """Who ``user`` decides for now, as their substitute."""
    async with state.pool.acquire() as conn:
        return await Absences(conn).standing_in_now(organisation_id, user.user_id)


def _behalf(
    request: ApprovalRequest, user: Person, absent: list[Person], named: str | None
) -> Participant | None:
    """The absent approver a decision of ``user`` is for; None: for themselves."""
    if named is not None:
        chosen = next((p for p in absent if p.email == named), None)
        if chosen is None:
            raise NotAParticipant(f"you do not stand in for {named} now")
        return chosen.participant()
    step = request.current_step
    if step is None or any(p.user_id == user.user_id for p in step.approvers):
        return None
    awaited = [p for p in absent if step.waits_for(p.user_id)]
    if len(awaited) > 1:
        emails = ", ".join(p.email for p in awaited)
        raise InvalidAction(f"you stand in for {emails} in this step: name one in on_behalf_of")
    return awaited[0].participant() if awaited else None


@router.get("/requests/pending", summary="My pending requests")
async def pending(organisation_id: UUID, state: State, user: Reader) -> list[RequestSummary]:
    """Also the requests awaiting someone who is away with me as their substitute."""
    absent = await _standing_in(state, organisation_id, user)
    async with state.pool.acquire() as conn:
        found = await Requests(conn).listing(
            organisation_id, awaiting=[user.user_id, *(p.user_id for p in absent)]
        )
    return [request_summary(r) for r in found]


@router.get("/requests/{request_id}", summary="One request with its lines and audit trail")
async def get_request(
    organisation_id: UUID, request_id: UUID, state: State, user: Reader
) -> RequestView:
    async with state.pool.acquire() as conn:
        stored = await Requests(conn).get(organisation_id, request_id)
    if stored is None:
        raise Problem(404, "not-found", "No such request", f"request {request_id} is unknown")
    if not _sees_all(user) and user.user_id not in stored.request.participants():
        absent = await _standing_in(state, organisation_id, user)
        if not {p.user_id for p in absent}.intersection(stored.request.awaiting()):
            raise Problem(403, "forbidden", "Not allowed", "you take no part in this request")
    return request_view(stored.request)


@router.post("/requests/{request_id}/approve", summary="Approve the current step")
async def approve(
    organisation_id: UUID, request_id: UUID, body: ApproveIn, state: State, user: CurrentUser
) -> RequestView:
    absent = await _standing_in(state, organisation_id, user)

    def action(request: ApprovalRequest, run: Run | None, now: datetime) -> None:
        require_approver(user)
        if run is None:
            raise OutOfTurn(f"the request is {request.state}; it awaits no approval decision")
        behalf = _behalf(request, user, absent, body.on_behalf_of)
        request.approve(user.participant(), body.comment, run, now, body.step, behalf)

    done = await act_on_request(state.pool, organisation_id, request_id, action)
    return request_view(done)


@router.post("/requests/{request_id}/reject", summary="Reject at the current step")
async def reject(
    organisation_id: UUID, request_id: UUID, body: RejectIn, state: State, user: CurrentUser
) -> RequestView:
    absent = await _standing_in(state, organisation_id, user)

    def action(request: ApprovalRequest, run: Run | None, now: datetime) -> None:
        require_approver(user)
        behalf = _behalf(request, user, absent, body.on_behalf_of)
        request.reject(user.participant(), body.reason, now, body.step, behalf)

    done = await act_on_request(state.pool, organisation_id, request_id, action)
    return request_view(done)


@router.patch("/requests/{request_id}/lines/{line_index}", summary="Reviewer: recode one line")
async def recode_line(
    organisation_id: UUID,
    request_id: UUID,
    line_index: int,
    body: CodingEdit,
    state: State,
    user: CurrentUser,
) -> RequestView:
    def action(request: ApprovalRequest, run: Run | None, now: datetime) -> None:
        edit_coding(request, user.participant(), line_index, body, now)

    done = await act_on_request(state.pool, organisation_id, request_id, action)
    return request_view(done)


@router.post("/requests/{request_id}/review", summary="Reviewer: submit the reviewed bill")
async def submit(
    organisation_id: UUID, request_id: UUID, body: ReviewIn, state: State, user: CurrentUser
) -> RequestView:
    def action(request: ApprovalRequest, run: Run | None, now: datetime) -> None:
        if run is None:
            raise OutOfTurn(f"the request is {request.state}; it is not in review")
        submit_review(request, user.participant(), body.comment, run, now)

    done = await act_on_request(state.pool, organisation_id, request_id, action)
    return request_view(done)
