"""Dext publishes an item with its original file (multipart: a JSON ``metadata`` part and a
``file`` part); a republish adds a version.

POST /v1/organisations/{org}/cost-items          publish (or republish) a cost item
POST /v1/organisations/{org}/bank-transactions   publish a bank-account transaction
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from countersign_platform.telemetry import annotate_span
from fastapi import Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from countersign_ingest.api.signed import DEXT_REFUSALS, SignedCalls, State, signed_call
from countersign_ingest.api.uploads import MAX_PUBLICATION_BYTES, read_publication
from countersign_ingest.domain.files import MAX_FILE_SIZE
from countersign_ingest.domain.metadata import (
    MAX_METADATA_SIZE,
    BankTransactionMetadata,
    CostItemMetadata,
)
from countersign_ingest.handlers.publications import Publication, submit_publication

__all__ = ["router"]

router = SignedCalls(MAX_PUBLICATION_BYTES, blame="file").router()


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


async def _publish(request: Request, state: State, model: type[Publication]) -> JSONResponse:
    """Both kinds of publication: parsed parts → stored and announced (or refused)."""
    call = signed_call(request)
    meta, upload = await read_publication(request.headers, call.body, model)
    async with state.pool.acquire() as conn:
        receipt = await submit_publication(conn, call.organisation_id, call.signature, meta, upload)
    annotate_span(dext_item_id=receipt.dext_item_id, correlation_id=receipt.correlation_id)
    body = Accepted(
        dext_item_id=receipt.dext_item_id,
        version=receipt.version,
        correlation_id=receipt.correlation_id,
        document_id=receipt.document_id,
        status_url=f"/v1/organisations/{call.organisation_id}/items/{receipt.dext_item_id}",
    )
    code = status.HTTP_202_ACCEPTED if receipt.created else status.HTTP_200_OK
    return JSONResponse(body.model_dump(mode="json"), status_code=code)


def _endpoint(model: type[Publication]) -> Callable[..., Awaitable[JSONResponse]]:
    async def publish(request: Request, state: State) -> JSONResponse:
        return await _publish(request, state, model)

    return publish


# The two publications differ only in their path, their metadata and what they become.
_ROUTES: tuple[tuple[str, str, type[Publication], str], ...] = (
    (
        "/cost-items",
        "publish_cost_item",
        CostItemMetadata,
        "Publish a cost item with its original file (a republish adds a version)",
    ),
    (
        "/bank-transactions",
        "publish_bank_transaction",
        BankTransactionMetadata,
        "Publish a bank-account transaction with its file (goes to Xero without approval)",
    ),
)
for path, name, model, summary in _ROUTES:
    router.add_api_route(
        path,
        _endpoint(model),
        methods=["POST"],
        name=name,
        summary=summary,
        status_code=status.HTTP_202_ACCEPTED,
        response_model=Accepted,
        responses=_RESPONSES,
        openapi_extra=_multipart(model),
    )
