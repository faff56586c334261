"""The administrator's interventions on running requests: force-approve, force-reject,
reassign an approver's place; on a failed publication whose bill is not in Xero: recode a line,
retry (with the recoded bill), or have the publisher give it up."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from countersign_approval.api.auth import Admin
from countersign_approval.api.requests import Comment
from countersign_approval.api.routing import OnRequest, organisation_router
from countersign_approval.api.views import RequestView, request_view
from countersign_approval.domain.coding import CodingEdit
from countersign_approval.domain.workflow import Email
from countersign_approval.handlers.interventions import (
    approve_by_force,
    cancel_failed_publication,
    reassign_place,
    recode_failed_publication,
    reject_by_force,
    retry_failed_publication,
)

__all__ = ["router"]

router = organisation_router("administration")


class ForceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment = Field(description="required: why the workflow is overridden")


@router.post("/requests/{request_id}/force-approve", summary="Authorise now, skipping the rest")
async def force_approve_request(at: OnRequest, body: ForceIn, admin: Admin) -> RequestView:
    return request_view(await approve_by_force(at, admin, body.comment))


@router.post("/requests/{request_id}/force-reject", summary="Reject now, whatever the step")
async def force_reject_request(at: OnRequest, body: ForceIn, admin: Admin) -> RequestView:
    return request_view(await reject_by_force(at, admin, body.comment))


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_email: Email
    to_email: Email
    comment: Comment | None = None


@router.post("/requests/{request_id}/reassign", summary="Hand an approver's place to another")
async def reassign_approver(at: OnRequest, body: ReassignIn, admin: Admin) -> RequestView:
    return request_view(await reassign_place(at, admin, body))


class RetryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment | None = None


@router.post("/requests/{request_id}/retry-publication", summary="Ask the publisher to try again")
async def retry(at: OnRequest, body: RetryIn, admin: Admin) -> RequestView:
    return request_view(await retry_failed_publication(at, admin, body.comment))


class RecodeIn(CodingEdit):
    comment: Comment | None = Field(default=None, description="why, for the audit trail")


@router.patch(
    "/requests/{request_id}/publication/lines/{line_index}",
    summary="Recode a line of a failed publication (accounts, tax types, tracking)",
)
async def recode_publication_line(
    at: OnRequest, line_index: int, body: RecodeIn, admin: Admin
) -> RequestView:
    edit = CodingEdit(
        account_code=body.account_code, tax_type=body.tax_type, tracking=body.tracking
    )
    return request_view(await recode_failed_publication(at, admin, line_index, edit, body.comment))


class CancelPublicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Comment = Field(description="required: why nothing of this bill goes to Xero")


@router.post(
    "/requests/{request_id}/cancel-publication",
    status_code=202,
    summary="Have the publisher give up a failed publication (the request then ends)",
)
async def cancel_publication(at: OnRequest, body: CancelPublicationIn, admin: Admin) -> RequestView:
    return request_view(await cancel_failed_publication(at, admin, body.reason))
