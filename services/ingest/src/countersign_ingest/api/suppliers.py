"""Suppliers for Dext: pages in the order they changed, resumable with a cursor, and an
incremental pull with ``changed_since`` (the newest ``xero_updated_at`` Dext has seen).

GET /v1/organisations/{org}/suppliers
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from countersign_contracts import Text
from fastapi import Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from countersign_ingest.api.signed import DEXT_REFUSALS, SignedCalls, State, signed_call
from countersign_ingest.handlers.suppliers import supplier_page

__all__ = ["SupplierPage", "SupplierQuery", "SupplierView", "router"]

router = SignedCalls(0).router()


class SupplierQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changed_since: AwareDatetime | None = Field(
        default=None, description="Only suppliers Xero changed after this instant"
    )
    cursor: Text | None = Field(
        default=None, max_length=200, description="next_cursor of the previous page"
    )
    limit: int = Field(default=100, ge=1, le=500)


class SupplierView(BaseModel):
    xero_contact_id: UUID = Field(
        description="Xero's ContactID; for a QuickBooks Online organisation a stable name-based"
        " UUID of its vendor (read ledger_contact_id)"
    )
    ledger: str | None = Field(
        default=None, description="The organisation's ledger (xero, qbo); null before it was said"
    )
    ledger_contact_id: str | None = Field(
        default=None,
        description="The ledger's id of the supplier: a Xero ContactID, a QBO Vendor Id",
    )
    name: str
    status: str = Field(description="ACTIVE, ARCHIVED or GDPRREQUEST (drop it in Dext)")
    contact_number: str | None = None
    tax_number: str | None = None
    default_currency: str | None = None
    purchases_default_account_code: str | None = None
    xero_updated_at: datetime


class SupplierPage(BaseModel):
    suppliers: list[SupplierView]
    next_cursor: str | None = Field(description="Set when more suppliers follow")


@router.get(
    "/suppliers",
    summary="Suppliers (Xero contacts with a bill) for Dext, oldest change first, paged",
    response_model=SupplierPage,
    responses={401: DEXT_REFUSALS[401], 422: DEXT_REFUSALS[422]},
)
async def suppliers(
    request: Request, state: State, page: Annotated[SupplierQuery, Query()]
) -> SupplierPage:
    organisation_id = signed_call(request).organisation_id
    async with state.pool.acquire() as conn:
        batch = await supplier_page(
            conn, organisation_id, page.cursor, page.changed_since, page.limit
        )
    return SupplierPage(
        suppliers=[SupplierView.model_validate(row) for row in batch.suppliers],
        next_cursor=batch.next_cursor,
    )
