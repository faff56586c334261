"""Where an item is, as Dext (and the people behind it) see it.

GET /v1/organisations/{org}/items/{item}     received, in approval, authorised, published…
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from countersign_contracts import ONE_LINE
from countersign_platform.links import sign_document_link
from countersign_platform.runtime import Runtime
from fastapi import Depends, Path, Request
from pydantic import BaseModel, Field

from countersign_ingest.api.signed import DEXT_REFUSALS, SignedCalls, State, signed_call
from countersign_ingest.domain.items import StoredItem
from countersign_ingest.handlers.status import find_item

__all__ = ["DOCUMENT_LINK_TTL_S", "ItemId", "ItemStatusView", "router", "status_view"]

router = SignedCalls(0).router()

DOCUMENT_LINK_TTL_S = 15 * 60


async def _item_id(
    dext_item_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"), ONE_LINE],
) -> str:
    return dext_item_id


# A dependency rather than a parameter: dependencies are read in order, after the gate's
# organisation_id, so the OpenAPI document keeps listing the organisation first.
ItemId = Annotated[str, Depends(_item_id)]


class WithdrawalView(BaseModel):
    state: str = Field(
        description="requested: asked of approval, its answer awaited; granted: the request "
        "was stopped (status withdrawn); refused: the request was already authorised, the bill "
        "goes (or went) to Xero — void it there"
    )
    reason: str | None = Field(default=None, description="Dext's reason for withdrawing")
    requested_at: datetime
    refusal: str | None = Field(default=None, description="Why approval refused it")
    refused_at: datetime | None = None


class RefusedRepublishView(BaseModel):
    version: int = Field(description="The newest version approval did not take")
    reason: str
    refused_at: datetime


class ItemStatusView(BaseModel):
    dext_item_id: str
    kind: str = Field(description="cost_item or bank_transaction")
    version: int = Field(description="The latest version Dext published")
    status_version: int = Field(
        description="The version whose journey `status` shows: the latest, unless approval "
        "refused it (see `refused_republish`) because an earlier version was authorised"
    )
    status: str = Field(
        description="received, in_approval, authorised, rejected, published, publish_failed, "
        "withdrawn or cancelled"
    )
    detail: dict[str, Any] = Field(
        description="in_approval: request_id, step; rejected: rejected_by, reason; published: "
        "xero_invoice_id or xero_bank_transaction_id, xero_status, and (when the ledger said) "
        "ledger with ledger_bill_id or ledger_expense_id; publish_failed: messages"
    )
    withdrawal: WithdrawalView | None = Field(
        default=None, description="The withdrawal Dext asked for, if any, and approval's answer"
    )
    refused_republish: RefusedRepublishView | None = Field(
        default=None, description="A newer version approval did not take, and why"
    )
    correlation_id: UUID
    updated_at: datetime
    source_url: str | None = Field(description="The item in Dext")
    original_document_url: str | None = Field(
        description="Open original document: a signed link valid for 15 minutes"
    )


def _render(request: Request, state: Runtime[Any], item: StoredItem) -> ItemStatusView:
    secret = state.settings.document_link_secret
    link = None
    if secret is not None:
        path = sign_document_link(
            secret.get_secret_value().encode(), item.document_id, DOCUMENT_LINK_TTL_S
        )
        link = str(request.base_url).rstrip("/") + path
    source = item.payload.get("bill", item.payload).get("source_url")
    refused = item.refused_republish
    return ItemStatusView(
        dext_item_id=item.dext_item_id,
        kind=item.kind,
        version=item.latest_version,
        withdrawal=None if item.withdrawal is None else WithdrawalView(**item.withdrawal),
        status_version=item.shown_version,
        status=item.status,
        detail=item.status_detail,
        refused_republish=None if refused is None else RefusedRepublishView(**refused),
        correlation_id=item.correlation_id,
        updated_at=item.updated_at,
        source_url=source,
        original_document_url=link,
    )


async def status_view(
    request: Request, state: Runtime[Any], organisation_id: UUID, dext_item_id: str
) -> ItemStatusView:
    async with state.pool.acquire() as conn:
        item = await find_item(conn, organisation_id, dext_item_id)
    return _render(request, state, item)


@router.get(
    "/items/{dext_item_id}",
    summary="Where an item is: received, in approval, authorised, rejected, published…",
    response_model=ItemStatusView,
    responses={401: DEXT_REFUSALS[401], 404: {"description": "No such item"}},
)
async def item_status(dext_item_id: ItemId, request: Request, state: State) -> ItemStatusView:
    organisation_id = signed_call(request).organisation_id
    return await status_view(request, state, organisation_id, dext_item_id)
