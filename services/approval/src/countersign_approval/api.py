"""Approval's HTTP API."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from countersign_platform.problems import Problem
from countersign_platform.service import Runtime, runtime
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from countersign_approval.db import RequestRow, Requests

__all__ = ["router"]

router = APIRouter(prefix="/v1/organisations/{organisation_id}", tags=["requests"])

State = Annotated[Runtime, Depends(runtime)]


class RequestView(BaseModel):
    request_id: UUID
    dext_item_id: str
    item_version: int
    state: str
    bill: dict[str, Any]


def _view(row: RequestRow) -> RequestView:
    return RequestView(
        request_id=row.request_id,
        dext_item_id=row.dext_item_id,
        item_version=row.item_version,
        state=row.state,
        bill=row.bill,
    )


@router.get("/requests/{request_id}", summary="One approval request", response_model=RequestView)
async def get_request(organisation_id: UUID, request_id: UUID, state: State) -> RequestView:
    async with state.pool.acquire() as conn:
        row = await Requests(conn).get(organisation_id, request_id)
    if row is None:
        raise Problem(404, "not-found", "No such request", f"request {request_id} is unknown")
    return _view(row)


@router.get("/requests", summary="Requests for one Dext item", response_model=list[RequestView])
async def requests_for_item(
    organisation_id: UUID, dext_item_id: str, state: State
) -> list[RequestView]:
    async with state.pool.acquire() as conn:
        rows = await Requests(conn).for_item(organisation_id, dext_item_id)
    return [_view(row) for row in rows]
