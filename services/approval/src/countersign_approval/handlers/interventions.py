"""What an administrator does to a running request over the API, each recorded as theirs:
approve or reject it by force, hand an approver's place to another, retry a failed
publication. Each runs on the request locked (``running.locked_request``)."""

from __future__ import annotations

from typing import Protocol

from countersign_approval.db.master_data import LedgerMasterData
from countersign_approval.domain.coding import CodingEdit
from countersign_approval.domain.interventions import force_approve, force_reject, reassign_by_email
from countersign_approval.domain.people import Person
from countersign_approval.domain.publication import (
    ask_to_cancel_publication,
    recode_publication,
    retry_publication,
)
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.handlers.running import RequestAt, locked_request

__all__ = [
    "Reassignment",
    "approve_by_force",
    "cancel_failed_publication",
    "reassign_place",
    "recode_failed_publication",
    "reject_by_force",
    "retry_failed_publication",
]


class Reassignment(Protocol):
    from_email: str  # an approver the current step awaits, whose place is handed over
    to_email: str
    comment: str | None


async def approve_by_force(at: RequestAt, admin: Person, comment: str) -> ApprovalRequest:
    async with locked_request(at) as locked:
        force_approve(locked.request, locked.run, admin.participant(), comment, locked.now)
    return locked.request


async def reject_by_force(at: RequestAt, admin: Person, comment: str) -> ApprovalRequest:
    async with locked_request(at) as locked:
        force_reject(locked.request, admin.participant(), comment, locked.now)
    return locked.request


async def reassign_place(at: RequestAt, admin: Person, asked: Reassignment) -> ApprovalRequest:
    """Both people are looked up among the organisation's current users in the transaction
    that holds the request, so nobody removed meanwhile is handed a place."""
    async with locked_request(at) as locked:
        request, by = locked.request, admin.participant()
        from_email, to_email = asked.from_email, asked.to_email
        reassign_by_email(request, locked.run, by, from_email, to_email, asked.comment, locked.now)
    return request


async def retry_failed_publication(
    at: RequestAt, admin: Person, comment: str | None
) -> ApprovalRequest:
    async with locked_request(at) as locked:
        retry_publication(locked.request, admin.participant(), comment, locked.now)
    return locked.request


async def recode_failed_publication(
    at: RequestAt, admin: Person, line_index: int, edit: CodingEdit, comment: str | None
) -> ApprovalRequest:
    async with locked_request(at) as locked:
        master = await LedgerMasterData(locked.conn).current(at.organisation_id)
        recode_publication(
            locked.request, admin.participant(), line_index, edit, comment, master, locked.now
        )
    return locked.request


async def cancel_failed_publication(at: RequestAt, admin: Person, reason: str) -> ApprovalRequest:
    async with locked_request(at) as locked:
        ask_to_cancel_publication(locked.request, admin.participant(), reason, locked.now)
    return locked.request
