"""Suppliers for Dext: pages in the order they changed, resumable with a cursor, and an
incremental pull with ``changed_since`` (the newest ``xero_updated_at`` Dext has seen)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from uuid import UUID

from countersign_contracts import Text
from countersign_platform.problems import FieldError, Problem
from countersign_platform.runtime import Runtime
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from countersign_ingest.db.suppliers import Suppliers

__all__ = ["SupplierPage", "SupplierQuery", "SupplierView", "supplier_page"]

_AFTER_EVERY_ID = UUID(int=(1 << 128) - 1)


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
    xero_contact_id: UUID
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


def _encode(position: tuple[datetime, UUID]) -> str:
    raw = f"{position[0].isoformat()}|{position[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, contact = raw.split("|")
        return datetime.fromisoformat(moment), UUID(contact)
    except ValueError as exc:
        raise Problem(
            422,
            "validation",
            "Request is not valid",
            "the cursor is not one this API returned",
            [FieldError("cursor", "cursor", "use next_cursor from the previous page")],
        ) from exc


async def supplier_page(
    state: Runtime[Any], organisation_id: UUID, query: SupplierQuery
) -> SupplierPage:
    after: tuple[datetime, UUID] | None = None
    if query.cursor is not None:
        after = _decode(query.cursor)
    elif query.changed_since is not None:
        after = (query.changed_since, _AFTER_EVERY_ID)
    async with state.pool.acquire() as conn:
        rows = await Suppliers(conn).page(organisation_id, after, query.limit)
    found = [SupplierView.model_validate(row) for row in rows]
    next_cursor = None
    if len(found) == query.limit:
        next_cursor = _encode((found[-1].xero_updated_at, found[-1].xero_contact_id))
    return SupplierPage(suppliers=found, next_cursor=next_cursor)
