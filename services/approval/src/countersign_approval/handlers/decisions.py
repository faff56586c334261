"""What approvers and reviewers do to one request over the API: approve or reject the current
step, for themselves or, as a substitute, for someone away; recode a line (also an
administrator, while Xero would refuse the coding) and submit the review. Each runs on the
request locked (``running.locked_request``), so two decisions on one request are applied one
after the other and the second sees the first; a refusal rolls everything back, so nothing is
recorded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

import asyncpg

from countersign_approval.db.absences import Absences
from countersign_approval.db.master_data import LedgerMasterData
from countersign_approval.domain.absences import decided_for
from countersign_approval.domain.coding import CodingEdit
from countersign_approval.domain.people import Participant, Person, require_approver
from countersign_approval.domain.refusals import OutOfTurn
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.review import edit_coding, submit_review
from countersign_approval.handlers.running import Locked, RequestAt, locked_request

__all__ = [
    "Approval",
    "Rejection",
    "Spend",
    "approve_request",
    "recode_request_line",
    "reject_request",
    "submit_request_review",
]


class Approval(Protocol):
    comment: str | None
    step: int | None  # the step the approver saw: refused (409) once the request moved on
    on_behalf_of: str | None  # as a substitute: whom for, needed only among several


class Rejection(Protocol):
    reason: str
    step: int | None
    on_behalf_of: str | None


async def _substitute_for(
    at: RequestAt, locked: Locked, user: Person, named: str | None
) -> Participant | None:
    """Whom ``user`` decides for as the substitute of someone away (None: themselves), read in
    the decision's transaction: it holds the organisation's workflow lock, which setting or
    clearing an absence takes exclusively, so the absence cannot change before the decision
    is saved."""
    absent = await Absences(locked.conn).standing_in_now(at.organisation_id, user.user_id)
    return decided_for(locked.request, user, absent, named)


Spend = Callable[[asyncpg.Connection], Awaitable[None]]
"""Runs first in the decision's transaction (an e-mail button's grant spent with it)."""


async def approve_request(
    at: RequestAt, user: Person, approval: Approval, spend: Spend | None = None
) -> ApprovalRequest:
    async with locked_request(at) as locked:
        if spend is not None:
            await spend(locked.conn)
        require_approver(user)
        request, run = locked.request, locked.run
        if run is None:
            raise OutOfTurn(f"the request is {request.state}; it awaits no approval decision")
        behalf = await _substitute_for(at, locked, user, approval.on_behalf_of)
        request.approve(
            user.participant(), approval.comment, run, locked.now, approval.step, behalf
        )
    return request


async def reject_request(
    at: RequestAt, user: Person, rejection: Rejection, spend: Spend | None = None
) -> ApprovalRequest:
    async with locked_request(at) as locked:
        if spend is not None:
            await spend(locked.conn)
        require_approver(user)
        behalf = await _substitute_for(at, locked, user, rejection.on_behalf_of)
        approver = user.participant()
        locked.request.reject(approver, rejection.reason, locked.now, rejection.step, behalf)
    return locked.request


async def recode_request_line(
    at: RequestAt, editor: Person, line_index: int, edit: CodingEdit
) -> ApprovalRequest:
    """A reviewer's recoding, or, while Xero would refuse the coding, an administrator's;
    checked against the organisation's master data as it is now."""
    async with locked_request(at) as locked:
        master = await LedgerMasterData(locked.conn).current(at.organisation_id)
        edit_coding(locked.request, editor, line_index, edit, master, locked.now)
    return locked.request


async def submit_request_review(
    at: RequestAt, reviewer: Person, comment: str | None
) -> ApprovalRequest:
    async with locked_request(at) as locked:
        if locked.run is None:
            raise OutOfTurn(f"the request is {locked.request.state}; it is not in review")
        submit_review(locked.request, reviewer.participant(), comment, locked.run, locked.now)
    return locked.request
