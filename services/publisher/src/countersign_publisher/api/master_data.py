"""An organisation's master data from Xero (admins, operators): what was last read, and
reading it again now."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_platform.access_http import AdminOrOperator
from countersign_platform.problems import Problem
from pydantic import BaseModel, Field

from countersign_publisher.api.routing import Parts, State, organisation_router
from countersign_publisher.domain.master_data import counts
from countersign_publisher.handlers.organisations import refuse_if_suspended
from countersign_publisher.ledger.errors import LedgerError

__all__ = ["router"]

router = organisation_router()


class MasterDataReloaded(BaseModel):
    accounts: int
    tax_rates: int
    tracking_categories: int
    currencies: int
    emitted: bool = Field(description="The content had changed: LedgerMasterDataSynced was sent")


class MasterDataView(BaseModel):
    organisation_id: UUID
    accounts: int
    tax_rates: int
    tracking_categories: int
    currencies: int
    synced_at: datetime | None = Field(description="Last read from Xero; null: never yet")
    changed_at: datetime | None = Field(description="Last found changed (and published)")
    due_at: datetime | None = Field(description="When the next scheduled read is due")


@router.get("/master-data", summary="Master data last read from Xero (admins, operators)")
async def master_data(organisation_id: UUID, parts: Parts, _: AdminOrOperator) -> MasterDataView:
    stored = await parts.master_data.stored(organisation_id)
    numbers = counts(None if stored is None else stored.snapshot)
    return MasterDataView(
        organisation_id=organisation_id,
        accounts=numbers.accounts,
        tax_rates=numbers.tax_rates,
        tracking_categories=numbers.tracking_categories,
        currencies=numbers.currencies,
        synced_at=None if stored is None else stored.synced_at,
        changed_at=None if stored is None else stored.changed_at,
        due_at=None if stored is None else stored.due_at,
    )


@router.post("/master-data/reload", summary="Read master data from Xero now (admins, operators)")
async def reload(
    organisation_id: UUID, state: State, parts: Parts, _: AdminOrOperator
) -> MasterDataReloaded:
    await refuse_if_suspended(state.pool, organisation_id)
    try:
        synced = await parts.master_data.sync(organisation_id, full=True)
    except LedgerError as exc:
        raise Problem(502, "xero-unavailable", "Master data sync failed", str(exc)) from exc
    return MasterDataReloaded(
        accounts=synced.counts.accounts,
        tax_rates=synced.counts.tax_rates,
        tracking_categories=synced.counts.tracking_categories,
        currencies=synced.counts.currencies,
        emitted=synced.emitted,
    )
