"""What the publisher publishes about an organisation's master data in its ledger:
ledger.master-data.v1.

One event carries the organisation's whole current master data, as the ledger accepts it now:
its chart of accounts, tax rates, tracking categories, currencies and lock dates. A consumer
keeps the latest per organisation and never needs the history; an entry missing from the
latest event is gone from the ledger. The publisher emits it only when something changed.
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field

from countersign_contracts._base import ContractModel, EventPayload, unknown_as
from countersign_contracts._ledger_names import LedgerId, LedgerName, ledger_field, ledger_id_field
from countersign_contracts._money import CurrencyCode, DecimalString, UtcDatetime, places

__all__ = [
    "AccountClass",
    "LedgerAccount",
    "LedgerMasterDataSynced",
    "LedgerTaxRate",
    "LedgerTrackingCategory",
    "LedgerTrackingOption",
    "MasterDataStatus",
]

_SINCE = "1.1"  # named the ledger and the ids there (ADR 0065)


class MasterDataStatus(StrEnum):
    """Xero's Status of an account, tax rate, tracking category or option, verbatim. Only
    ACTIVE entries are accepted on a new bill. A reader maps a value it does not know yet to
    OTHER."""

    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"
    DELETED = "DELETED"
    PENDING = "PENDING"
    OTHER = "OTHER"


OpenStatus = Annotated[MasterDataStatus, unknown_as(MasterDataStatus.OTHER)]


class AccountClass(StrEnum):
    """Xero's account Class: the part of the balance sheet or P&L an account belongs to."""

    ASSET = "ASSET"
    EQUITY = "EQUITY"
    EXPENSE = "EXPENSE"
    LIABILITY = "LIABILITY"
    REVENUE = "REVENUE"
    OTHER = "OTHER"


OpenAccountClass = Annotated[AccountClass, unknown_as(AccountClass.OTHER)]


def _tax_rate(value: Decimal) -> Decimal:
    if not Decimal(0) <= value < Decimal(1000):
        raise ValueError("must be at least 0 and below 1000 (a percentage)")
    if places(value) > 4:
        raise ValueError("has more than 4 decimal places")
    return value


Percentage = Annotated[DecimalString, AfterValidator(_tax_rate)]
"""A rate in percent, e.g. "20.0000" for 20 % VAT: at most four places."""

XeroCode = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")]


class LedgerAccount(ContractModel):
    """An account of the chart of accounts."""

    account_id: UUID = Field(description="Xero AccountID")
    ledger_account_id: LedgerId | None = ledger_id_field("account_id", _SINCE)
    code: str | None = Field(
        default=None, min_length=1, max_length=10, description="Xero Code; a bank may have none"
    )
    name: str = Field(min_length=1, max_length=150)
    type: str = Field(
        pattern=r"^[A-Z]{2,20}$", description="Xero's account Type verbatim, e.g. BANK, EXPENSE"
    )
    account_class: OpenAccountClass | None = Field(default=None, description="Xero's Class")
    status: OpenStatus
    tax_type: XeroCode | None = Field(default=None, description="The account's default TaxType")
    enable_payments_to_account: bool = Field(
        default=False, description="Payments may be made from it (a bill paid from it)"
    )
    bank_account_number: str | None = Field(
        default=None, max_length=50, description="Set for a BANK account"
    )
    bank_account_type: str | None = Field(
        default=None, max_length=20, description="For a BANK account: BANK, CREDITCARD or PAYPAL"
    )
    currency_code: CurrencyCode | None = Field(
        default=None, description="For a BANK account: its currency"
    )


class LedgerTaxRate(ContractModel):
    """A tax rate, by the TaxType a bill line names."""

    tax_type: XeroCode
    name: str = Field(min_length=1, max_length=255)
    status: OpenStatus
    effective_rate: Percentage
    can_apply_to: list[OpenAccountClass] = Field(
        description="The account classes Xero lets it be used with (CanApplyTo…)"
    )


class LedgerTrackingOption(ContractModel):
    tracking_option_id: UUID
    ledger_tracking_option_id: LedgerId | None = ledger_id_field("tracking_option_id", _SINCE)
    name: str = Field(min_length=1, max_length=100)
    status: OpenStatus


class LedgerTrackingCategory(ContractModel):
    """A tracking category and its options, archived ones included."""

    tracking_category_id: UUID
    ledger_tracking_category_id: LedgerId | None = ledger_id_field("tracking_category_id", _SINCE)
    name: str = Field(min_length=1, max_length=100)
    status: OpenStatus
    options: list[LedgerTrackingOption]


class LedgerMasterDataSynced(EventPayload):
    """The organisation's master data in its ledger, whole, as it stands at ``synced_at``."""

    organisation_id: UUID = Field(description="Also the envelope organisation_id and subject_id")
    tenant_id: str = Field(
        min_length=1, max_length=64, description="The ledger's organisation: Xero tenantId"
    )
    ledger: LedgerName = ledger_field(_SINCE)
    base_currency: CurrencyCode
    currencies: list[CurrencyCode] = Field(description="The currencies enabled in the ledger")
    period_lock_date: date | None = Field(
        default=None, description="Nothing on or before it may be entered (but by advisers)"
    )
    end_of_year_lock_date: date | None = Field(
        default=None, description="Nothing on or before it may be entered by anyone"
    )
    accounts: list[LedgerAccount]
    tax_rates: list[LedgerTaxRate]
    tracking_categories: list[LedgerTrackingCategory]
    synced_at: UtcDatetime = Field(description="When the publisher read it from the ledger")
