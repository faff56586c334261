"""The approver's and reviewer's API: my pending requests, one request, decide, recode."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from countersign_contracts import MultilineText
from pydantic import BaseModel, ConfigDict, Field

from countersign_approval.api.auth import CurrentUser, Reader, State
from countersign_approval.api.routing import OnRequest, organisation_router
from countersign_approval.api.views import (
    RequestSummary,
    RequestView,
    request_summary,
    request_view,
)
from countersign_approval.domain.coding import CodingEdit
from countersign_approval.domain.workflow import Email
from countersign_approval.handlers.decisions import (
    approve_request,
    recode_request_line,
    reject_request,
    submit_request_review,
)
from countersign_approval.handlers.reading import (
    coding_options,
    pending_for,
    request_seen_by,
)
from countersign_approval.handlers.running import RequestAt

__all__ = ["Comment", "router"]

router = organisation_router("requests")

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


@router.get("/requests/pending", summary="My pending requests")
async def pending(organisation_id: UUID, state: State, user: Reader) -> list[RequestSummary]:
    """Also the requests awaiting someone who is away with me as their substitute."""
    return [request_summary(r) for r in await pending_for(state.pool, organisation_id, user)]


@router.get("/requests/{request_id}", summary="One request with its lines and audit trail")
async def get_request(at: OnRequest, user: Reader) -> RequestView:
    return request_view(await request_seen_by(at, user))


@router.post("/requests/{request_id}/approve", summary="Approve the current step")
async def approve(at: OnRequest, body: ApproveIn, user: CurrentUser) -> RequestView:
    return request_view(await approve_request(at, user, body))


@router.post("/requests/{request_id}/reject", summary="Reject at the current step")
async def reject(at: OnRequest, body: RejectIn, user: CurrentUser) -> RequestView:
    return request_view(await reject_request(at, user, body))


class AccountOption(BaseModel):
    code: str
    name: str | None
    account_class: str | None
    tax_type: str | None = Field(description="the account's default tax type")


class TaxRateOption(BaseModel):
    tax_type: str
    name: str | None
    can_apply_to: list[str] = Field(description="the account classes it may be used with")


class TrackingOption(BaseModel):
    name: str
    options: list[str]


class CodingOptions(BaseModel):
    """What a line may be coded with: only what the organisation's ledger takes now."""

    ledger_read: bool = Field(
        description="false before the organisation's ledger was read once: nothing is offered,"
        " and the ledger's answer at publication is the only check"
    )
    ledger: str | None = Field(
        default=None, description="the ledger the options are of: xero, qbo; null before read"
    )
    ledger_title: str | None = Field(
        default=None, description='its name for people: "Xero", "QuickBooks Online"'
    )
    accounts: list[AccountOption]
    tax_rates: list[TaxRateOption]
    tracking_categories: list[TrackingOption]


@router.get("/coding-options", summary="The accounts, tax types and tracking a line may take")
async def get_coding_options(organisation_id: UUID, state: State, user: Reader) -> CodingOptions:
    """Active accounts (bank accounts aside), active tax rates with the account classes each
    applies to, and active tracking categories with their active options: a recoding with
    anything else is refused (422 naming the field)."""
    options = await coding_options(state.pool, organisation_id)
    if options is None:
        return CodingOptions(ledger_read=False, accounts=[], tax_rates=[], tracking_categories=[])
    return CodingOptions.model_validate({"ledger_read": True, **options})


@router.patch(
    "/requests/{request_id}/lines/{line_index}",
    summary="Recode one line: a reviewer in review; also an admin while the coding is not valid",
)
async def recode_line(
    organisation_id: UUID,
    request_id: UUID,
    line_index: int,
    body: CodingEdit,
    state: State,
    user: CurrentUser,
) -> RequestView:
    # The line in the path comes after the request in the API's description: the request is
    # named here rather than through OnRequest, whose path parameters would come first.
    at = RequestAt(state.pool, organisation_id, request_id)
    return request_view(await recode_request_line(at, user, line_index, body))


@router.post("/requests/{request_id}/review", summary="Reviewer: submit the reviewed bill")
async def submit(at: OnRequest, body: ReviewIn, user: CurrentUser) -> RequestView:
    return request_view(await submit_request_review(at, user, body.comment))
