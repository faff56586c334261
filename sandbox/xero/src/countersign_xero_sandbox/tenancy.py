"""Creating tenants from a test's description (``POST /_sandbox/tenants``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from countersign_xero_sandbox import defaults
from countersign_xero_sandbox.currency_rates import default_table, parse_table
from countersign_xero_sandbox.model import Record, Tenant, contact_name, new_id

__all__ = ["TenantSpecError", "build_tenant", "new_contact", "sync_lock_date", "sync_rates"]

_CLASS_OF_TYPE = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "DEPRECIATN": "EXPENSE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
    "OTHERINCOME": "REVENUE",
}


class TenantSpecError(ValueError):
    """The test's tenant description is unusable."""


def _account(spec: dict[str, Any], base_currency: str, now: datetime) -> Record:
    kind = str(spec.get("Type", "EXPENSE"))
    if kind not in _CLASS_OF_TYPE:
        raise TenantSpecError(f"account Type {kind!r} is not a Xero account type")
    if not spec.get("Code") or not spec.get("Name"):
        raise TenantSpecError("every account needs a Code and a Name")
    account: Record = {
        "AccountID": str(spec.get("AccountID") or new_id()),
        "Code": str(spec["Code"]),
        "Name": str(spec["Name"]),
        "Type": kind,
        "Status": str(spec.get("Status", "ACTIVE")),
        "Description": str(spec.get("Description", "")),
        "TaxType": str(spec.get("TaxType", "NONE")),
        "Class": _CLASS_OF_TYPE[kind],
        "EnablePaymentsToAccount": bool(spec.get("EnablePaymentsToAccount", False)),
        "ShowInExpenseClaims": bool(spec.get("ShowInExpenseClaims", False)),
        "ReportingCode": str(spec.get("ReportingCode", "")),
        "HasAttachments": False,
        "UpdatedDateUTC": now,
        "AddToWatchlist": False,
    }
    if kind == "BANK":
        account["BankAccountNumber"] = str(spec.get("BankAccountNumber", ""))
        account["BankAccountType"] = str(spec.get("BankAccountType", "BANK"))
        account["CurrencyCode"] = str(spec.get("CurrencyCode", base_currency))
    if spec.get("SystemAccount"):
        account["SystemAccount"] = str(spec["SystemAccount"])
    return account


CAN_APPLY_TO = {
    "ASSET": "CanApplyToAssets",
    "EQUITY": "CanApplyToEquity",
    "EXPENSE": "CanApplyToExpenses",
    "LIABILITY": "CanApplyToLiabilities",
    "REVENUE": "CanApplyToRevenue",
}
"""Which of a tax rate's CanApplyTo… flags an account of each Class needs."""

# As in Xero's own organisations: a rate for purchases (ReportTaxType INPUT) is not offered on
# revenue accounts, one for sales (OUTPUT) not on expense accounts; the others go anywhere. A
# tenant's spec may set any flag itself.
_NOT_APPLICABLE = {"INPUT": ("CanApplyToRevenue",), "OUTPUT": ("CanApplyToExpenses",)}


def _report_tax_type(tax_type: str) -> str:
    for report in ("INPUT", "OUTPUT"):
        if report in tax_type:
            return report
    return "NONE"


def _tax_rate(spec: dict[str, Any]) -> Record:
    if not spec.get("TaxType"):
        raise TenantSpecError("every tax rate needs a TaxType")
    rate = Decimal(str(spec.get("EffectiveRate", spec.get("DisplayTaxRate", 0))))
    tax_type = str(spec["TaxType"])
    report = str(spec.get("ReportTaxType", _report_tax_type(tax_type)))
    return {
        "Name": str(spec.get("Name", tax_type)),
        "TaxType": tax_type,
        "Status": str(spec.get("Status", "ACTIVE")),
        "ReportTaxType": report,
        **{
            flag: bool(spec.get(flag, flag not in _NOT_APPLICABLE.get(report, ())))
            for flag in CAN_APPLY_TO.values()
        },
        "DisplayTaxRate": rate,
        "EffectiveRate": rate,
        "TaxComponents": [
            {"Name": "VAT", "Rate": rate, "IsCompound": False, "IsNonRecoverable": False}
        ],
    }


def _tracking_category(spec: dict[str, Any]) -> Record:
    if not spec.get("Name"):
        raise TenantSpecError("every tracking category needs a Name")
    options = []
    for option in spec.get("Options", []):
        described = option if isinstance(option, dict) else {"Name": option}
        options.append(
            {
                "TrackingOptionID": str(described.get("TrackingOptionID") or new_id()),
                "Name": str(described["Name"]),
                "Status": str(described.get("Status", "ACTIVE")),
            }
        )
    return {
        "TrackingCategoryID": str(spec.get("TrackingCategoryID") or new_id()),
        "Name": str(spec["Name"]),
        "Status": str(spec.get("Status", "ACTIVE")),
        "Options": options,
    }


def new_contact(fields: Record, now: datetime) -> Record:
    contact: Record = {
        key: value for key, value in fields.items() if key not in {"IsSupplier", "IsCustomer"}
    }
    contact.update(
        {
            "ContactID": str(fields.get("ContactID") or new_id()),
            "Name": contact_name(fields["Name"]),
            "ContactStatus": str(fields.get("ContactStatus", "ACTIVE")),
            "IsSupplier": False,
            "IsCustomer": False,
            "HasAttachments": False,
            "HasValidationErrors": False,
            "UpdatedDateUTC": now,
        }
    )
    return contact


def build_tenant(spec: dict[str, Any], now: datetime) -> Tenant:
    tenant_id = str(spec.get("tenant_id") or new_id())
    base = str(spec.get("base_currency", "GBP"))
    codes = [str(c) for c in spec.get("currencies", defaults.CURRENCIES)]
    if base not in codes:
        codes.insert(0, base)
    lock_date = date.fromisoformat(spec["lock_date"]) if spec.get("lock_date") else None
    name = str(spec.get("name", "Countersign Demo Ltd"))
    organisation: Record = {
        "OrganisationID": tenant_id,
        "APIKey": "",
        "Name": name,
        "LegalName": name,
        "PaysTax": True,
        "Version": "UK",
        "OrganisationType": "COMPANY",
        "BaseCurrency": base,
        "CountryCode": "GB",
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": now,
        "OrganisationEntityType": "COMPANY",
        "Timezone": "GMTSTANDARDTIME",
        "ShortCode": "!" + tenant_id[:5],
        "Edition": "BUSINESS",
        "Class": "PREMIUM",
    }
    tenant = Tenant(
        tenant_id=tenant_id,
        organisation=organisation,
        base_currency=base,
        currencies={c: defaults.CURRENCY_NAMES.get(c, c) for c in codes},
        lock_date=lock_date,
    )
    for account_spec in spec.get("accounts", defaults.ACCOUNTS):
        account = _account(account_spec, base, now)
        tenant.accounts[account["AccountID"]] = account
    for rate_spec in spec.get("tax_rates", defaults.TAX_RATES):
        rate = _tax_rate(rate_spec)
        tenant.tax_rates[rate["TaxType"]] = rate
    for category_spec in spec.get("tracking_categories", defaults.TRACKING_CATEGORIES):
        category = _tracking_category(category_spec)
        tenant.tracking_categories[category["TrackingCategoryID"]] = category
    for contact_spec in spec.get("contacts", []):
        if not contact_spec.get("Name"):
            raise TenantSpecError("every contact needs a Name")
        contact = new_contact(contact_spec, now)
        tenant.contacts[contact["ContactID"]] = contact
    sync_lock_date(tenant)
    sync_rates(tenant, spec.get("rates") or {})
    return tenant


def sync_lock_date(tenant: Tenant) -> None:
    tenant.organisation["PeriodLockDate"] = tenant.lock_date


def sync_rates(tenant: Tenant, given: dict[str, Any]) -> None:
    """Sets the rate tables ``given`` (tenant spec or PATCH ``rates``) and gives every enabled
    foreign currency still without one the default table."""
    if not isinstance(given, dict):
        raise TenantSpecError("rates must be an object of currency code to rate")
    for code, table in given.items():
        tenant.rates[str(code)] = parse_table(table)
    for code in tenant.currencies:
        if code != tenant.base_currency and code not in tenant.rates:
            tenant.rates[code] = default_table(tenant.base_currency, code)
