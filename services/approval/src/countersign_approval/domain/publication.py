"""After authorisation: approval mirrors the publisher's progress onto the request, and an
administrator may ask for a failed publication to be tried again."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_contracts import (
    PublicationRetryRequested,
    PublicationStatus,
    RequestPublicationUpdated,
)

from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.people import Participant
from countersign_approval.domain.refusals import OutOfTurn
from countersign_approval.domain.request import ApprovalRequest

__all__ = ["publication_progressed", "retry_publication"]

_STATE_OF = {
    PublicationStatus.PUBLISHING: RequestState.PUBLISHING,
    PublicationStatus.PUBLISHED: RequestState.PUBLISHED,
    PublicationStatus.PUBLISH_FAILED: RequestState.PUBLISH_FAILED,
}


def publication_progressed(
    request: ApprovalRequest,
    publication_id: UUID,
    status: PublicationStatus,
    now: datetime,
    *,
    xero_invoice_id: UUID | None = None,
    messages: list[str] | None = None,
) -> None:
    """Moves to the publisher's reported status; a repeat of the current status only refreshes
    what it carries (a second failure's messages, say)."""
    target = _STATE_OF[status]
    if request.state is not target:
        request.move(target)
    request.publication_id = publication_id
    if xero_invoice_id is not None:
        request.xero_invoice_id = xero_invoice_id
    request.publication_messages = list(messages or [])
    request.emit(
        RequestPublicationUpdated(
            request_id=request.request_id,
            dext_item_id=request.dext_item_id,
            item_version=request.item_version,
            publication_id=publication_id,
            status=status,
            xero_invoice_id=request.xero_invoice_id,
            messages=request.publication_messages,
            updated_at=now,
        )
    )


def retry_publication(
    request: ApprovalRequest, admin: Participant, comment: str | None, now: datetime
) -> None:
    if request.state is not RequestState.PUBLISH_FAILED or request.publication_id is None:
        raise OutOfTurn(f"the request is {request.state}; only a failed publication is retried")
    request.move(RequestState.PUBLISHING)
    request.emit(
        PublicationRetryRequested(
            request_id=request.request_id,
            dext_item_id=request.dext_item_id,
            item_version=request.item_version,
            publication_id=request.publication_id,
            requested_by=admin.actor("admin"),
            comment=comment,
            requested_at=now,
        )
    )
