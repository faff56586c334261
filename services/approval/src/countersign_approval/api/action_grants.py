"""E-mail buttons (ADR 0048), for the notifier and the web app, each authenticated as a client:
a grant for one person's decision on one step, what a grant is for, and the decision made
with it. No grant is ever logged."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from countersign_platform.json_bodies import StrictJsonRoute
from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from countersign_approval.api.auth import State
from countersign_approval.api.requests import Comment
from countersign_approval.api.sign_in import Client, Secret
from countersign_approval.api.views import RequestView, request_view
from countersign_approval.handlers.action_grants import (
    decide_with_grant,
    grant_action,
    grant_preview,
)

__all__ = ["router"]

router = APIRouter(tags=["e-mail actions (notifier, web app)"], route_class=StrictJsonRoute)


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_id: UUID
    request_id: UUID
    user_id: UUID = Field(description="the person the request's current step waits for")


class GrantOut(BaseModel):
    grant: str = Field(description="single use; put it in the person's Approve / Reject links")
    expires_at: datetime
    step: int = Field(description="the step it decides (the review, if any, is 0)")


class UseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grant: Secret


class DecideIn(UseIn):
    decision: Literal["approve", "reject"]
    comment: Comment | None = Field(
        default=None, description="approve: optional; reject: required (the reason)"
    )


class PreviewOut(BaseModel):
    request: RequestView
    name: str = Field(description="whose decision it is")
    email: str
    step: int


@router.post(
    "/action-grants", status_code=201, summary="A single-use grant for one person's decision"
)
async def create(body: GrantIn, state: State, caller: Client, response: Response) -> GrantOut:
    issued = await grant_action(
        state.pool, caller, body.organisation_id, body.request_id, body.user_id
    )
    response.headers["Cache-Control"] = "no-store"
    return GrantOut(grant=issued.grant, expires_at=issued.expires_at, step=issued.step)


@router.post("/action-grants/preview", summary="What a grant is for (the confirmation page)")
async def preview(body: UseIn, state: State, caller: Client) -> PreviewOut:
    request, person, step = await grant_preview(state.pool, body.grant)
    view = request_view(request)
    return PreviewOut(request=view, name=person.name, email=person.email, step=step)


@router.post("/action-grants/decide", summary="The person's confirmed decision, with the grant")
async def decide(body: DecideIn, state: State, caller: Client) -> RequestView:
    approve = body.decision == "approve"
    decided = await decide_with_grant(state.pool, body.grant, approve, body.comment)
    return request_view(decided)
