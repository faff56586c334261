"""The ledger's master data for Dext's drop-downs: accounts (and the ones a payment can come
from), tax rates, tracking categories, each paged in the order entries changed, resumable with a
cursor, incremental with ``changed_since`` (the newest ``changed_at`` Dext has seen); and the
ledger's settings (currencies, lock dates).

GET /v1/organisations/{org}/accounts[?bank_accounts_only=true]
GET /v1/organisations/{org}/tax-rates
GET /v1/organisations/{org}/tracking-categories
GET /v1/organisations/{org}/ledger-settings
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from countersign_contracts import Text
from fastapi import Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from countersign_ingest.api.signed import DEXT_REFUSALS, SignedCalls, State, signed_call
from countersign_ingest.domain.ledger_entries import EntryKind
from countersign_ingest.handlers.ledger_entries import EntryBatch, entry_page, ledger_settings

__all__ = ["router"]

router = SignedCalls(0).router()

_REFUSALS: dict[int | str, dict[str, Any]] = {401: DEXT_REFUSALS[401], 422: DEXT_REFUSALS[422]}


class EntryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changed_since: AwareDatetime | None = Field(
        default=None, description="Only entries that changed after this instant"
    )
    cursor: Text | None = Field(
        default=None, max_length=200, description="next_cursor of the previous page"
    )
    limit: int = Field(default=100, ge=1, le=500)


class AccountQuery(EntryQuery):
    bank_accounts_only: bool = Field(
        default=False,
        description="Only accounts a payment can be made from (Dext's payment methods): BANK"
        " accounts and accounts with payments enabled",
    )


class _Entry(BaseModel):
    removed: bool = Field(description="Gone from the ledger: drop it in Dext")
    changed_at: datetime = Field(description="When Countersign saw it change")


class AccountView(_Entry):
    account_id: UUID
    code: str | None
    name: str
    type: str = Field(description="Xero's account Type, e.g. BANK, EXPENSE, OVERHEADS")
    account_class: str | None = Field(description="ASSET, EQUITY, EXPENSE, LIABILITY, REVENUE")
    status: str = Field(description="ACTIVE; ARCHIVED or DELETED ones are refused on a bill")
    tax_type: str | None = Field(description="The account's default tax rate")
    enable_payments_to_account: bool
    bank_account_number: str | None = None
    bank_account_type: str | None = None
    currency_code: str | None = None


class TaxRateView(_Entry):
    tax_type: str
    name: str
    status: str = Field(description="ACTIVE, or ARCHIVED, DELETED, PENDING (not usable)")
    effective_rate: str = Field(description="Percent, a decimal string, e.g. '20.0000'")
    can_apply_to: list[str] = Field(description="Account classes it may be used with")


class TrackingOptionView(BaseModel):
    tracking_option_id: UUID
    name: str
    status: str


class TrackingCategoryView(_Entry):
    tracking_category_id: UUID
    name: str
    status: str
    options: list[TrackingOptionView] = Field(description="Archived options included")


class AccountPage(BaseModel):
    accounts: list[AccountView]
    next_cursor: str | None = Field(description="Set when more follow")


class TaxRatePage(BaseModel):
    tax_rates: list[TaxRateView]
    next_cursor: str | None = Field(description="Set when more follow")


class TrackingCategoryPage(BaseModel):
    tracking_categories: list[TrackingCategoryView]
    next_cursor: str | None = Field(description="Set when more follow")


class LedgerSettingsView(BaseModel):
    base_currency: str
    currencies: list[str] = Field(description="Currencies enabled in the ledger")
    period_lock_date: date | None = Field(description="No bill dated on or before it")
    end_of_year_lock_date: date | None
    synced_at: datetime = Field(description="When the ledger was last read")
    changed_at: datetime = Field(description="When these settings last changed")


async def _page(
    request: Request,
    state: State,
    kind: EntryKind,
    query: EntryQuery,
    payable_only: bool = False,
) -> EntryBatch:
    organisation_id = signed_call(request).organisation_id
    async with state.pool.acquire() as conn:
        return await entry_page(
            conn,
            organisation_id,
            kind,
            (query.cursor, query.changed_since, query.limit),
            payable_only,
        )


@router.get(
    "/accounts",
    summary="The ledger's accounts for Dext, oldest change first, paged",
    response_model=AccountPage,
    responses=_REFUSALS,
)
async def accounts(
    request: Request, state: State, query: Annotated[AccountQuery, Query()]
) -> AccountPage:
    batch = await _page(request, state, EntryKind.ACCOUNT, query, query.bank_accounts_only)
    return AccountPage(
        accounts=[AccountView.model_validate(row) for row in batch.entries],
        next_cursor=batch.next_cursor,
    )


@router.get(
    "/tax-rates",
    summary="The ledger's tax rates for Dext, oldest change first, paged",
    response_model=TaxRatePage,
    responses=_REFUSALS,
)
async def tax_rates(
    request: Request, state: State, query: Annotated[EntryQuery, Query()]
) -> TaxRatePage:
    batch = await _page(request, state, EntryKind.TAX_RATE, query)
    return TaxRatePage(
        tax_rates=[TaxRateView.model_validate(row) for row in batch.entries],
        next_cursor=batch.next_cursor,
    )


@router.get(
    "/tracking-categories",
    summary="The ledger's tracking categories and options for Dext, oldest change first, paged",
    response_model=TrackingCategoryPage,
    responses=_REFUSALS,
)
async def tracking_categories(
    request: Request, state: State, query: Annotated[EntryQuery, Query()]
) -> TrackingCategoryPage:
    batch = await _page(request, state, EntryKind.TRACKING_CATEGORY, query)
    return TrackingCategoryPage(
        tracking_categories=[TrackingCategoryView.model_validate(row) for row in batch.entries],
        next_cursor=batch.next_cursor,
    )


@router.get(
    "/ledger-settings",
    summary="The ledger's base currency, enabled currencies and lock dates, for Dext",
    response_model=LedgerSettingsView,
    responses={**_REFUSALS, 404: {"description": "No master data from the ledger yet"}},
)
async def settings(request: Request, state: State) -> LedgerSettingsView:
    organisation_id = signed_call(request).organisation_id
    async with state.pool.acquire() as conn:
        found = await ledger_settings(conn, organisation_id)
    return LedgerSettingsView.model_validate(found)
