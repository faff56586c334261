"""Dext deleted an item: the withdrawal is asked of approval, which stops it unless the bill is
already authorised (then the item goes on to Xero, and its status says so).

POST /v1/organisations/{org}/cost-items/{item}/withdrawal
"""

from __future__ import annotations

from fastapi import Request, Response

from countersign_ingest.api.items import ItemId, ItemStatusView, status_view
from countersign_ingest.api.signed import DEXT_REFUSALS, SignedCalls, State, signed_call
from countersign_ingest.api.uploads import parse_json
from countersign_ingest.domain.items import ItemStatus
from countersign_ingest.domain.metadata import Withdrawal
from countersign_ingest.handlers import withdrawals

__all__ = ["router"]

router = SignedCalls(16 * 1024).router()


@router.post(
    "/cost-items/{dext_item_id}/withdrawal",
    summary="Withdraw a cost item deleted in Dext: approval stops it, unless it is authorised",
    response_model=ItemStatusView,
    status_code=202,
    responses={
        200: {"description": "Already withdrawn (or cancelled): nothing more to do"},
        202: {
            "description": "Withdrawal asked of approval (or already asked): follow `withdrawal`"
            " in the item status — withdrawn, or refused because the bill is bound for Xero"
        },
        404: {"description": "No such item"},
        **DEXT_REFUSALS,
    },
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": Withdrawal.model_json_schema()}}}
    },
)
async def withdraw_item(
    dext_item_id: ItemId,
    request: Request,
    response: Response,
    state: State,
) -> ItemStatusView:
    call = signed_call(request)
    withdrawal = parse_json(Withdrawal, call.body or b"{}", part="body")
    async with state.pool.acquire() as conn:
        await withdrawals.withdraw_item(
            conn, call.organisation_id, call.signature, dext_item_id, withdrawal.reason
        )
    view = await status_view(request, state, call.organisation_id, dext_item_id)
    if view.status in (ItemStatus.WITHDRAWN, ItemStatus.CANCELLED):
        response.status_code = 200
    return view
