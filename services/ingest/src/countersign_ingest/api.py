"""Ingest's HTTP API (the Dext-facing side)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from countersign_contracts import Bill
from countersign_platform.problems import Problem
from countersign_platform.service import Runtime, runtime
from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from countersign_ingest import handlers
from countersign_ingest.db import CostItems

__all__ = ["router"]

router = APIRouter(prefix="/v1/organisations/{organisation_id}", tags=["cost items"])

State = Annotated[Runtime, Depends(runtime)]


class CostItemPublication(BaseModel):
    dext_item_id: str = Field(min_length=1, max_length=100, description="Dext's id of the item")
    bill: Bill


class Accepted(BaseModel):
    dext_item_id: str
    version: int
    correlation_id: UUID
    status_url: str


class ItemStatusView(BaseModel):
    dext_item_id: str
    version: int
    status: str
    detail: dict[str, Any]


@router.post(
    "/cost-items",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Publish a cost item",
    response_model=Accepted,
)
async def publish_cost_item(
    organisation_id: UUID, body: CostItemPublication, state: State, response: Response
) -> Accepted:
    async with state.pool.acquire() as conn:
        receipt = await handlers.submit_cost_item(
            conn, organisation_id, body.dext_item_id, body.bill
        )
    if not receipt.created:
        response.status_code = status.HTTP_200_OK
    return Accepted(
        dext_item_id=receipt.dext_item_id,
        version=receipt.version,
        correlation_id=receipt.correlation_id,
        status_url=f"/v1/organisations/{organisation_id}/cost-items/{receipt.dext_item_id}",
    )


@router.get("/cost-items/{dext_item_id}", summary="Where an item is", response_model=ItemStatusView)
async def item_status(organisation_id: UUID, dext_item_id: str, state: State) -> ItemStatusView:
    async with state.pool.acquire() as conn:
        item = await CostItems(conn).get(organisation_id, dext_item_id)
    if item is None:
        raise Problem(404, "not-found", "No such cost item", f"item {dext_item_id} is unknown")
    return ItemStatusView(
        dext_item_id=item.dext_item_id,
        version=item.latest_version,
        status=item.status,
        detail=item.status_detail,
    )
