"""Dext publishes an item with its original file (multipart: a JSON ``metadata`` part and a
``file`` part); a republish adds a version.

POST /v1/organisations/{org}/cost-items          publish (or republish) a cost item
POST /v1/organisations/{org}/bank-transactions   publish a bank-account transaction
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
from fastapi import Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from countersign_ingest.api.signed import DEXT_REFUSALS, State, dext_router, read_signed_call
from countersign_ingest.api.uploads import MAX_PUBLICATION_BYTES, read_publication
from countersign_ingest.domain.files import MAX_FILE_SIZE, Upload
from countersign_ingest.domain.metadata import (
    MAX_METADATA_SIZE,
    BankTransactionMetadata,
    CostItemMetadata,
)
from countersign_ingest.handlers.publications import (
    Receipt,
    submit_bank_transaction,
    submit_cost_item,
)

__all__ = ["router"]

router = dext_router()


class Accepted(BaseModel):
    dext_item_id: str
    version: int
    correlation_id: UUID
    document_id: UUID
    status_url: str


def _multipart(model: type[BaseModel]) -> dict[str, Any]:
    metadata = f"{model.__name__} as JSON, at most {MAX_METADATA_SIZE}"
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["metadata", "file"],
                        "properties": {
                            "metadata": {
                                "type": "string",
                                "description": metadata,
                            },
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": f"The original document, at most {MAX_FILE_SIZE}",
                            },
                        },
                    },
                    "encoding": {"metadata": {"contentType": "application/json"}},
                }
            },
        }
    }


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Identical to the latest version: nothing new"},
    **DEXT_REFUSALS,
}


Meta = TypeVar("Meta", CostItemMetadata, BankTransactionMetadata)


async def _publish(
    organisation_id: UUID,
    request: Request,
    state: State,
    model: type[Meta],
    submit: Callable[[asyncpg.Connection, UUID, str, Meta, Upload], Awaitable[Receipt]],
) -> JSONResponse:
    """Both kinds of publication: signed call → parsed parts → stored and announced."""
    call = await read_signed_call(
        request, state, organisation_id, MAX_PUBLICATION_BYTES, blame="file"
    )
    meta, upload = await read_publication(request.headers, call.body, model)
    async with state.pool.acquire() as conn:
        receipt = await submit(conn, organisation_id, call.signature, meta, upload)
    body = Accepted(
        dext_item_id=receipt.dext_item_id,
        version=receipt.version,
        correlation_id=receipt.correlation_id,
        document_id=receipt.document_id,
        status_url=f"/v1/organisations/{organisation_id}/items/{receipt.dext_item_id}",
    )
    code = status.HTTP_202_ACCEPTED if receipt.created else status.HTTP_200_OK
    return JSONResponse(body.model_dump(mode="json"), status_code=code)


@router.post(
    "/cost-items",
    summary="Publish a cost item with its original file (a republish adds a version)",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=_RESPONSES,
    openapi_extra=_multipart(CostItemMetadata),
)
async def publish_cost_item(organisation_id: UUID, request: Request, state: State) -> JSONResponse:
    return await _publish(organisation_id, request, state, CostItemMetadata, submit_cost_item)


@router.post(
    "/bank-transactions",
    summary="Publish a bank-account transaction with its file (goes to Xero without approval)",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=_RESPONSES,
    openapi_extra=_multipart(BankTransactionMetadata),
)
async def publish_bank_transaction(
    organisation_id: UUID, request: Request, state: State
) -> JSONResponse:
    return await _publish(
        organisation_id, request, state, BankTransactionMetadata, submit_bank_transaction
    )
