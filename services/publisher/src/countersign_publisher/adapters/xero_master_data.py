"""Xero's settings (GET Accounts, TaxRates, TrackingCategories, Currencies, Organisation) as
the master-data contract, ``LedgerMasterDataSynced``.

Every list is sorted (accounts by code, tax rates by TaxType, categories and options by name),
so the same ledger always makes the same event and its hash tells a change from a re-read.
A status Xero adds later is sent as ``OTHER`` rather than failing the whole sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from countersign_contracts import (
    AccountClass,
    LedgerAccount,
    LedgerMasterDataSynced,
    LedgerTaxRate,
    LedgerTrackingCategory,
    LedgerTrackingOption,
    MasterDataStatus,
    is_iso_currency,
)

from countersign_publisher.adapters.xero_mapping import Json, parse_xero_datetime

__all__ = [
    "XeroSettings",
    "accounts_changed_at",
    "ledger_account",
    "ledger_tax_rate",
    "ledger_tracking_category",
    "master_data",
    "sorted_accounts",
]

_CAN_APPLY_TO = {
    "CanApplyToAssets": AccountClass.ASSET,
    "CanApplyToEquity": AccountClass.EQUITY,
    "CanApplyToExpenses": AccountClass.EXPENSE,
    "CanApplyToLiabilities": AccountClass.LIABILITY,
    "CanApplyToRevenue": AccountClass.REVENUE,
}
_FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class XeroSettings:
    """What one sync read from Xero, as Xero sent it."""

    organisation: Json
    accounts: list[Json]
    tax_rates: list[Json]
    tracking_categories: list[Json]
    currencies: list[Json]


def _status(value: Any) -> MasterDataStatus:
    text = str(value or "ACTIVE")
    known = {status.value for status in MasterDataStatus}
    return MasterDataStatus(text) if text in known else MasterDataStatus.OTHER


def _class(value: Any) -> AccountClass | None:
    if not value:
        return None
    known = {kind.value for kind in AccountClass}
    return AccountClass(str(value)) if str(value) in known else AccountClass.OTHER


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def ledger_account(raw: Json) -> LedgerAccount:
    bank = raw.get("Type") == "BANK"
    currency = _text(raw.get("CurrencyCode"))
    return LedgerAccount(
        account_id=UUID(str(raw["AccountID"])),
        code=_text(raw.get("Code")),
        name=str(raw["Name"])[:150],
        type=str(raw["Type"]),
        account_class=_class(raw.get("Class")),
        status=_status(raw.get("Status")),
        tax_type=_text(raw.get("TaxType")),
        enable_payments_to_account=bool(raw.get("EnablePaymentsToAccount")),
        bank_account_number=_text(raw.get("BankAccountNumber")) if bank else None,
        bank_account_type=_text(raw.get("BankAccountType")) if bank else None,
        currency_code=currency if bank and currency and is_iso_currency(currency) else None,
    )


def _percentage(value: Any) -> Decimal:
    # Always four places, as Xero shows a rate ("20.0000"): one rate, one way of writing it.
    return Decimal(str(value if value is not None else 0)).quantize(_FOUR_PLACES)


def ledger_tax_rate(raw: Json) -> LedgerTaxRate:
    return LedgerTaxRate(
        tax_type=str(raw["TaxType"]),
        name=str(raw.get("Name") or raw["TaxType"])[:255],
        status=_status(raw.get("Status")),
        effective_rate=_percentage(raw.get("EffectiveRate", raw.get("DisplayTaxRate"))),
        can_apply_to=[kind for field, kind in _CAN_APPLY_TO.items() if raw.get(field)],
    )


def ledger_tracking_category(raw: Json) -> LedgerTrackingCategory:
    options = [
        LedgerTrackingOption(
            tracking_option_id=UUID(str(option["TrackingOptionID"])),
            name=str(option["Name"])[:100],
            status=_status(option.get("Status")),
        )
        for option in raw.get("Options") or ()
    ]
    return LedgerTrackingCategory(
        tracking_category_id=UUID(str(raw["TrackingCategoryID"])),
        name=str(raw["Name"])[:100],
        status=_status(raw.get("Status")),
        options=sorted(options, key=lambda o: (o.name.casefold(), o.tracking_option_id)),
    )


def _date(value: Any) -> date | None:
    moment = parse_xero_datetime(str(value)) if value else None
    return None if moment is None else moment.date()


def accounts_changed_at(accounts: list[Json]) -> datetime | None:
    """The newest ``UpdatedDateUTC`` among the accounts: where the next incremental read
    (``If-Modified-Since``) starts."""
    moments = [parse_xero_datetime(a.get("UpdatedDateUTC")) for a in accounts]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def sorted_accounts(accounts: list[LedgerAccount]) -> list[LedgerAccount]:
    return sorted(accounts, key=lambda a: (a.code is None, a.code or a.name, a.account_id))


def master_data(
    organisation_id: UUID, tenant_id: str, settings: XeroSettings, synced_at: datetime
) -> LedgerMasterDataSynced:
    organisation = settings.organisation
    base = str(organisation["BaseCurrency"])
    codes = {str(c["Code"]) for c in settings.currencies if is_iso_currency(str(c.get("Code")))}
    categories = [ledger_tracking_category(raw) for raw in settings.tracking_categories]
    return LedgerMasterDataSynced(
        organisation_id=organisation_id,
        tenant_id=tenant_id,
        base_currency=base,
        currencies=sorted(codes | {base}),
        period_lock_date=_date(organisation.get("PeriodLockDate")),
        end_of_year_lock_date=_date(organisation.get("EndOfYearLockDate")),
        accounts=sorted_accounts([ledger_account(raw) for raw in settings.accounts]),
        tax_rates=sorted(
            (ledger_tax_rate(raw) for raw in settings.tax_rates), key=lambda r: r.tax_type
        ),
        tracking_categories=sorted(
            categories, key=lambda c: (c.name.casefold(), c.tracking_category_id)
        ),
        synced_at=synced_at,
    )
