"""The operator's view of publications: an item's publications, one publication, a retry.
A publication shows its ledger ids as text (``ledger_*``) and, for Xero, as uuids
(``xero_*``, as before ADR 0068)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from countersign_contracts import Text
from countersign_platform.operators import Operator
from fastapi import Query
from pydantic import BaseModel, Field

from countersign_publisher.api.routing import State, organisation_router
from countersign_publisher.db.publications import PublicationRow
from countersign_publisher.handlers.publications import (
    find_publication,
    publications_of_item,
    retry_publication_now,
)

__all__ = ["router"]

router = organisation_router()


_XERO_ONLY = "The id beside it (ledger_*), as a Xero uuid; null in another ledger"


class PublicationView(BaseModel):
    publication_id: UUID
    kind: str
    request_id: UUID | None
    dext_item_id: str
    item_version: int
    state: str
    ledger: str = Field(description="The ledger the records are in: xero or qbo")
    ledger_contact_id: str | None = Field(description="The contact's (QBO: vendor's) id")
    ledger_bill_id: str | None
    ledger_expense_id: str | None = Field(description="Xero: the SPEND; QBO: the Purchase")
    ledger_original_attachment_id: str | None
    ledger_audit_attachment_id: str | None
    ledger_payment_id: str | None
    xero_contact_id: UUID | None = Field(description=_XERO_ONLY)
    xero_invoice_id: UUID | None = Field(description=_XERO_ONLY)
    xero_bank_transaction_id: UUID | None = Field(description=_XERO_ONLY)
    original_attachment_id: UUID | None = Field(description=_XERO_ONLY)
    audit_attachment_id: UUID | None = Field(description=_XERO_ONLY)
    xero_payment_id: UUID | None = Field(description=_XERO_ONLY)
    history_notes: int | None = Field(
        description="Notes written to the bill's history in the ledger; null: not (yet) written"
    )
    xero_status: str | None = Field(description="The record's status, as Xero names it")
    attempt: int
    generation: int
    last_error: dict[str, Any] | None
    recorded_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: PublicationRow) -> PublicationView:
        return cls(
            publication_id=row.publication_id,
            kind=row.kind.value,
            request_id=row.request_id,
            dext_item_id=row.dext_item_id,
            item_version=row.item_version,
            state=row.state,
            ledger=row.progress.ledger.value,
            **row.progress.results(),
            **row.progress.xero_ids(),
            attempt=row.attempt,
            generation=row.generation,
            last_error=None if row.last_error is None else json.loads(row.last_error),
            recorded_at=row.recorded_at,
            updated_at=row.updated_at,
        )


@router.get(
    "/publications",
    summary="Publications of one Dext item (operators)",
    response_model=list[PublicationView],
)
async def publications_for_item(
    organisation_id: UUID,
    dext_item_id: Annotated[Text, Query(min_length=1)],
    state: State,
    _: Operator,
) -> list[PublicationView]:
    rows = await publications_of_item(state.pool, organisation_id, dext_item_id)
    return [PublicationView.of(row) for row in rows]


@router.get(
    "/publications/{publication_id}",
    summary="One publication (operators)",
    response_model=PublicationView,
)
async def publication(
    organisation_id: UUID, publication_id: UUID, state: State, _: Operator
) -> PublicationView:
    return PublicationView.of(await find_publication(state.pool, organisation_id, publication_id))


@router.post(
    "/publications/{publication_id}/retry",
    summary="Try a failed or parked publication again (operators)",
    status_code=202,
    response_model=PublicationView,
)
async def retry(
    organisation_id: UUID, publication_id: UUID, state: State, _: Operator
) -> PublicationView:
    reopened = await retry_publication_now(state.pool, organisation_id, publication_id)
    return PublicationView.of(reopened)
