"""The Dext-facing HTTP API: every call signed with the organisation's Dext secret.

POST /v1/organisations/{org}/cost-items                       publish (or republish) a cost item
POST /v1/organisations/{org}/bank-transactions                publish a bank-account transaction
POST /v1/organisations/{org}/cost-items/{item}/withdrawal     the item was deleted in Dext
GET  /v1/organisations/{org}/items/{item}                     where an item is
GET  /v1/organisations/{org}/suppliers                        suppliers for Dext, paged
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, TypeVar
from uuid import UUID

import asyncpg
from countersign_contracts import ONE_LINE
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.problems import Problem
from countersign_platform.runtime import Runtime, runtime
from countersign_platform.sealing import Keyring
from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from countersign_ingest import handlers
from countersign_ingest.domain.files import MAX_FILE_SIZE
from countersign_ingest.domain.items import ItemStatus
from countersign_ingest.domain.metadata import (
    MAX_METADATA_SIZE,
    BankTransactionMetadata,
    CostItemMetadata,
    Withdrawal,
)
from countersign_ingest.domain.rules import (
    Violation,
    bank_transaction_violations,
    cost_item_violations,
)
from countersign_ingest.handlers import ItemConflict, ItemNotFound, Receipt, Replayed, Upload
from countersign_ingest.signed_calls import SignatureHeaders, read_signed_call
from countersign_ingest.status_views import ItemStatusView, item_status_view
from countersign_ingest.supplier_views import SupplierPage, SupplierQuery, supplier_page
from countersign_ingest.uploads import (
    MAX_PUBLICATION_BYTES,
    checked,
    parse_json,
    read_publication,
    today,
)

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/organisations/{organisation_id}",
    tags=["dext"],
    dependencies=[Depends(SignatureHeaders)],
    route_class=StrictJsonRoute,
)

State = Annotated[Runtime[Keyring | None], Depends(runtime)]
ItemId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"), ONE_LINE]


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


_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Signature missing, wrong, stale or replayed"},
    409: {"description": "The item was withdrawn, or is of the other kind"},
    413: {"description": f"File over {MAX_FILE_SIZE} or metadata over {MAX_METADATA_SIZE}"},
    415: {"description": "Not multipart, a file type Xero does not take, or a compressed body"},
    422: {"description": "A field breaks a rule (problem+json names it)"},
}


def _replayed() -> Problem:
    return Problem(401, "unauthorised", "Signature not accepted", "this call was already made")


Meta = TypeVar("Meta", CostItemMetadata, BankTransactionMetadata)


async def _publish(
    organisation_id: UUID,
    request: Request,
    state: Runtime[Any],
    model: type[Meta],
    violations: Callable[[Meta, date], list[Violation]],
    submit: Callable[[asyncpg.Connection, UUID, str, Meta, Upload], Awaitable[Receipt]],
) -> JSONResponse:
    """Both kinds of publication: signed call → parsed parts → rules → stored and announced."""
    call = await read_signed_call(
        request, state, organisation_id, MAX_PUBLICATION_BYTES, blame="file"
    )
    meta, upload = await read_publication(request.headers, call.body, model)
    checked(violations(meta, today()))
    try:
        async with state.pool.acquire() as conn:
            receipt = await submit(conn, organisation_id, call.signature, meta, upload)
    except Replayed:
        raise _replayed() from None
    except ItemConflict as exc:
        raise Problem(409, "conflict", "Item cannot take a new version", str(exc)) from exc
    return _answer(organisation_id, receipt)


def _answer(organisation_id: UUID, receipt: Receipt) -> JSONResponse:
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
    responses={200: {"description": "Identical to the latest version: nothing new"}, **_REFUSALS},
    openapi_extra=_multipart(CostItemMetadata),
)
async def publish_cost_item(organisation_id: UUID, request: Request, state: State) -> JSONResponse:
    return await _publish(
        organisation_id,
        request,
        state,
        CostItemMetadata,
        cost_item_violations,
        handlers.submit_cost_item,
    )


@router.post(
    "/bank-transactions",
    summary="Publish a bank-account transaction with its file (goes to Xero without approval)",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses={200: {"description": "Identical to the latest version: nothing new"}, **_REFUSALS},
    openapi_extra=_multipart(BankTransactionMetadata),
)
async def publish_bank_transaction(
    organisation_id: UUID, request: Request, state: State
) -> JSONResponse:
    return await _publish(
        organisation_id,
        request,
        state,
        BankTransactionMetadata,
        bank_transaction_violations,
        handlers.submit_bank_transaction,
    )


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
        **_REFUSALS,
    },
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": Withdrawal.model_json_schema()}}}
    },
)
async def withdraw_item(
    organisation_id: UUID,
    dext_item_id: ItemId,
    request: Request,
    response: Response,
    state: State,
) -> ItemStatusView:
    call = await read_signed_call(request, state, organisation_id, 16 * 1024)
    withdrawal = parse_json(Withdrawal, call.body or b"{}", part="body")
    try:
        async with state.pool.acquire() as conn:
            await handlers.withdraw_item(
                conn, organisation_id, call.signature, dext_item_id, withdrawal.reason
            )
    except Replayed:
        raise _replayed() from None
    except ItemNotFound:
        raise Problem(404, "not-found", "No such item", f"item {dext_item_id} is unknown") from None
    except ItemConflict as exc:
        raise Problem(409, "conflict", "Item cannot be withdrawn", str(exc)) from exc
    view = await item_status_view(request, state, organisation_id, dext_item_id)
    if view.status in (ItemStatus.WITHDRAWN, ItemStatus.CANCELLED):
        response.status_code = 200
    return view


@router.get(
    "/items/{dext_item_id}",
    summary="Where an item is: received, in approval, authorised, rejected, published…",
    response_model=ItemStatusView,
    responses={401: _REFUSALS[401], 404: {"description": "No such item"}},
)
async def item_status(
    organisation_id: UUID, dext_item_id: ItemId, request: Request, state: State
) -> ItemStatusView:
    await read_signed_call(request, state, organisation_id, 0)
    return await item_status_view(request, state, organisation_id, dext_item_id)


@router.get(
    "/suppliers",
    summary="Suppliers (Xero contacts with a bill) for Dext, oldest change first, paged",
    response_model=SupplierPage,
    responses={401: _REFUSALS[401], 422: _REFUSALS[422]},
)
async def suppliers(
    organisation_id: UUID,
    request: Request,
    state: State,
    page: Annotated[SupplierQuery, Query()],
) -> SupplierPage:
    await read_signed_call(request, state, organisation_id, 0)
    return await supplier_page(state, organisation_id, page)
