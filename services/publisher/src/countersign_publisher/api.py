"""Publisher's HTTP API."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from countersign_platform.service import Runtime, runtime
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from countersign_publisher.db import Publications

__all__ = ["router"]

router = APIRouter(prefix="/v1/organisations/{organisation_id}", tags=["publications"])

State = Annotated[Runtime, Depends(runtime)]


class PublicationView(BaseModel):
    publication_id: UUID
    request_id: UUID
    dext_item_id: str
    item_version: int
    state: str


@router.get(
    "/publications",
    summary="Publications of one Dext item",
    response_model=list[PublicationView],
)
async def publications_for_item(
    organisation_id: UUID, dext_item_id: str, state: State
) -> list[PublicationView]:
    async with state.pool.acquire() as conn:
        rows = await Publications(conn).for_item(organisation_id, dext_item_id)
    return [PublicationView(**row.__dict__) for row in rows]
