"""QuickBooks Online's reference entities (Account, TaxCode/TaxRate, Class, Department,
CompanyCurrency, Preferences) as the master-data contract, ``LedgerMasterDataSynced``, in the
codes Dext and the bills use (``qbo_mapping``):

    Account     code = AcctNum, else Id; AccountType mapped onto Xero's types (Bank and
                Credit Card → BANK, which takes payments; Expense → EXPENSE…); Classification
                → the account class; inactive → ARCHIVED
    tax rates   non-US: each TaxCode that applies to purchases (a PurchaseTaxRateList, or not
                taxable), by its Id, the rate the sum of its purchase rates; US: TAX and NON
    tracking    "Class" and "Department", their classes and departments as the options
    currencies  the home currency (Preferences) and, with multicurrency on, the active
                CompanyCurrency codes
    lock date   Preferences' BookCloseDate as the period lock date

The uuid ids the v1 contract requires are name-based stand-ins (``qbo_uuid``); the QBO ids are
in the ``ledger_*_id`` beside them. Lists are sorted as the Xero adapter sorts them, so the same
company always makes the same event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from countersign_contracts import (
    AccountClass,
    Ledger,
    LedgerAccount,
    LedgerMasterDataSynced,
    LedgerTaxRate,
    LedgerTrackingCategory,
    LedgerTrackingOption,
    MasterDataStatus,
    is_iso_currency,
)

from countersign_publisher.adapters.qbo_mapping import (
    CLASS,
    DEPARTMENT,
    Json,
    account_code,
    qbo_uuid,
)
from countersign_publisher.adapters.qbo_reading import parse_qbo_datetime
from countersign_publisher.adapters.xero_master_data import sorted_accounts

__all__ = ["QboSettings", "accounts_changed_at", "ledger_account", "master_data", "tax_rates"]

ACCOUNT_TYPES = {
    "Bank": "BANK",
    "Credit Card": "BANK",
    "Accounts Receivable": "CURRENT",
    "Other Current Asset": "CURRENT",
    "Fixed Asset": "FIXED",
    "Other Asset": "NONCURRENT",
    "Accounts Payable": "CURRLIAB",
    "Other Current Liability": "CURRLIAB",
    "Long Term Liability": "TERMLIAB",
    "Equity": "EQUITY",
    "Income": "REVENUE",
    "Other Income": "OTHERINCOME",
    "Cost of Goods Sold": "DIRECTCOSTS",
    "Expense": "EXPENSE",
    "Other Expense": "EXPENSE",
    "Non-Posting": "NONPOSTING",
}
BANK_ACCOUNT_TYPES = {"Bank": "BANK", "Credit Card": "CREDITCARD"}
US_TAX_CODES = (("NON", "Non-taxable"), ("TAX", "Taxable"))
_FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class QboSettings:
    """What one sync read from QBO, as QBO sent it."""

    preferences: Json
    us: bool
    accounts: list[Json]
    tax_codes: list[Json]
    tax_rates: list[Json]
    classes: list[Json]
    departments: list[Json]
    currencies: list[Json]


def _status(active: Any) -> MasterDataStatus:
    return MasterDataStatus.ACTIVE if active is not False else MasterDataStatus.ARCHIVED


def _class(value: Any) -> AccountClass | None:
    if not value:
        return None
    known = {kind.value for kind in AccountClass}
    text = str(value).upper()
    return AccountClass(text) if text in known else AccountClass.OTHER


def ledger_account(organisation_id: UUID, raw: Json) -> LedgerAccount:
    kind = str(raw.get("AccountType") or "")
    bank_type = BANK_ACCOUNT_TYPES.get(kind)
    currency = (raw.get("CurrencyRef") or {}).get("value")
    return LedgerAccount(
        account_id=qbo_uuid(organisation_id, "account", str(raw["Id"])),
        ledger_account_id=str(raw["Id"]),
        code=account_code(raw)[:10],
        name=str(raw.get("Name") or raw["Id"])[:150],
        type=ACCOUNT_TYPES.get(kind, "OTHER"),
        account_class=_class(raw.get("Classification")),
        status=_status(raw.get("Active")),
        tax_type=None,
        enable_payments_to_account=bank_type is not None,
        bank_account_number=None,
        bank_account_type=bank_type,
        currency_code=str(currency)
        if bank_type and currency and is_iso_currency(currency)
        else None,
    )


def tax_rates(us: bool, codes: list[Json], rates: list[Json]) -> list[LedgerTaxRate]:
    """The tax codes a purchase line may name, by the code it names them with."""
    if us:
        return [
            LedgerTaxRate(
                tax_type=code,
                name=name,
                status=MasterDataStatus.ACTIVE,
                effective_rate=Decimal(0).quantize(_FOUR_PLACES),
                can_apply_to=[],
            )
            for code, name in US_TAX_CODES
        ]
    percent = {str(r["Id"]): Decimal(str(r.get("RateValue") or 0)) for r in rates}
    found = []
    for code in codes:
        details = (code.get("PurchaseTaxRateList") or {}).get("TaxRateDetail") or []
        if not details and code.get("Taxable", True):
            continue  # a sales-only code
        rate = sum((percent.get(str(d["TaxRateRef"]["value"]), Decimal(0)) for d in details),
                   Decimal(0))  # fmt: skip
        found.append(
            LedgerTaxRate(
                tax_type=str(code["Id"]),
                name=str(code.get("Name") or code["Id"])[:255],
                status=_status(code.get("Active")),
                effective_rate=rate.quantize(_FOUR_PLACES),
                can_apply_to=[],
            )
        )
    return sorted(found, key=lambda r: r.tax_type)


def _tracking(organisation_id: UUID, name: str, records: list[Json]) -> LedgerTrackingCategory:
    options = [
        LedgerTrackingOption(
            tracking_option_id=qbo_uuid(organisation_id, "tracking_option", str(raw["Id"])),
            ledger_tracking_option_id=str(raw["Id"]),
            name=str(raw.get("FullyQualifiedName") or raw["Name"])[:100],
            status=_status(raw.get("Active")),
        )
        for raw in records
    ]
    return LedgerTrackingCategory(
        tracking_category_id=qbo_uuid(organisation_id, "tracking_category", name),
        ledger_tracking_category_id=name,
        name=name,
        status=MasterDataStatus.ACTIVE,
        options=sorted(options, key=lambda o: (o.name.casefold(), o.tracking_option_id)),
    )


def accounts_changed_at(accounts: list[Json]) -> datetime | None:
    """The newest ``MetaData.LastUpdatedTime`` among the accounts."""
    moments = [
        parse_qbo_datetime((a.get("MetaData") or {}).get("LastUpdatedTime")) for a in accounts
    ]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def master_data(
    organisation_id: UUID, realm_id: str, settings: QboSettings, synced_at: datetime
) -> LedgerMasterDataSynced:
    preferences = settings.preferences
    currency_prefs = preferences.get("CurrencyPrefs") or {}
    home = str((currency_prefs.get("HomeCurrency") or {})["value"])
    codes = (
        {  # without multicurrency a bill is in the home currency, whatever else is listed
            str(c["Code"])
            for c in settings.currencies
            if c.get("Active", True) and is_iso_currency(str(c.get("Code")))
        }
        if currency_prefs.get("MultiCurrencyEnabled")
        else set()
    )
    closed = (preferences.get("AccountingInfoPrefs") or {}).get("BookCloseDate")
    return LedgerMasterDataSynced(
        organisation_id=organisation_id,
        tenant_id=realm_id,
        ledger=Ledger.QBO,
        base_currency=home,
        currencies=sorted(codes | {home}),
        period_lock_date=_date(closed),
        end_of_year_lock_date=None,
        accounts=sorted_accounts([ledger_account(organisation_id, a) for a in settings.accounts]),
        tax_rates=tax_rates(settings.us, settings.tax_codes, settings.tax_rates),
        tracking_categories=[
            _tracking(organisation_id, CLASS, settings.classes),
            _tracking(organisation_id, DEPARTMENT, settings.departments),
        ],
        synced_at=synced_at,
    )
