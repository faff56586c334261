"""What approval refuses Dext once a request is authorised, on approval.requests.v1 (since 1.3).

Dext may republish or withdraw an item after its request was authorised; the bill is on its way
to (or in) the ledger, so approval refuses and says why: `RepublishRefused`, `WithdrawalRefused`.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from countersign_contracts._approvals import _RequestEvent
from countersign_contracts._audit import Comment
from countersign_contracts._base import EventPayload, unknown_as
from countersign_contracts._money import UtcDatetime

__all__ = ["LedgerBound", "RepublishRefused", "WithdrawalRefused"]


class LedgerBound(StrEnum):
    """Where an authorised request is on its way to the ledger. An open enum: a reader of this
    package decodes a value it does not know yet as `authorised`."""

    AUTHORISED = "authorised"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PUBLISH_FAILED = "publish_failed"


class _Refusal(_RequestEvent):
    """What Dext asked for that approval will not do, because the item's request (this event's
    request_id and item_version) is authorised: the bill is on its way to (or in) the ledger."""

    stage: Annotated[LedgerBound, unknown_as(LedgerBound.AUTHORISED)] = Field(
        description="Where the request is now"
    )
    reason: Comment = Field(description="Why, for people: what happened and what to do instead")
    refused_at: UtcDatetime


class RepublishRefused(_Refusal, EventPayload):
    """Dext republished the item (`refused_item_version`) after its request for an earlier
    version was authorised. The new version is not taken and nothing of it reaches the ledger;
    the authorised version carries on. Amend the bill in Xero instead (since 1.3)."""

    refused_item_version: int = Field(ge=1, description="The version approval did not take")


class WithdrawalRefused(_Refusal, EventPayload):
    """Dext withdrew the item (deleted it) after its request was authorised. The publication is
    not stopped: the bill is, or will be, in Xero; void it there (since 1.3)."""

    withdrawn_item_version: int = Field(ge=1, description="The version Dext withdrew")
