"""A new company (realm) from a control-endpoint spec, seeded as a fresh QBO sandbox company:
accounts (bank, card, AP, expense kinds), tax codes and rates for its country, classes,
departments, terms, its currencies, CompanyInfo and Preferences."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from countersign_qbo_sandbox.model import Realm, Record

__all__ = ["COUNTRIES", "CompanySpecError", "build_realm"]

COUNTRIES = {"US": "USD", "GB": "GBP", "AU": "AUD", "CA": "CAD"}
ALPHA3 = {"US": "USA", "GB": "GBR", "AU": "AUS", "CA": "CAN"}
CURRENCY_NAMES = {
    "USD": "United States Dollar",
    "GBP": "British Pound Sterling",
    "AUD": "Australian Dollar",
    "CAD": "Canadian Dollar",
    "EUR": "Euro",
}
# (Name, AccountType, AccountSubType, Classification, Active)
ACCOUNTS = (
    ("Checking", "Bank", "Checking", "Asset", True),
    ("Savings", "Bank", "Savings", "Asset", True),
    ("Visa", "Credit Card", "CreditCard", "Liability", True),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "Liability", True),
    ("Office Expenses", "Expense", "OfficeGeneralAdministrativeExpenses", "Expense", True),
    ("Travel", "Expense", "Travel", "Expense", True),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs", "Expense", True),
    ("Penalties", "Other Expense", "PenaltiesSettlements", "Expense", True),
    ("Old Expenses", "Expense", "OtherMiscellaneousServiceCost", "Expense", False),
    ("Sales", "Income", "SalesOfProductIncome", "Revenue", True),
)
# Non-US purchase tax: (code name, [(rate name, percent)]).
TAX_TABLES: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = {
    "GB": (
        ("20.0% S", (("20.0% S (Purchases)", "20"),)),
        ("5.0% R", (("5.0% R (Purchases)", "5"),)),
        ("0.0% Z", (("0.0% Z (Purchases)", "0"),)),
        ("No VAT", ()),
    ),
    "AU": (("GST", (("GST (Purchases)", "10"),)), ("FRE", (("GST-free (Purchases)", "0"),))),
    "CA": (
        ("GST", (("GST (Purchases)", "5"),)),
        ("HST ON", (("HST ON (Purchases)", "13"),)),
        ("Exempt", ()),
    ),
}


class CompanySpecError(ValueError):
    pass


def _spec(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise CompanySpecError("the company spec is a JSON object")
    country = body.get("country", "US")
    if country not in COUNTRIES:
        raise CompanySpecError(f"country must be one of {sorted(COUNTRIES)}")
    home = body.get("home_currency", COUNTRIES[country])
    if home not in CURRENCY_NAMES:
        raise CompanySpecError(f"home_currency must be one of {sorted(CURRENCY_NAMES)}")
    close = body.get("book_close_date")
    try:
        closed = date.fromisoformat(close) if close else None
    except (TypeError, ValueError) as exc:
        raise CompanySpecError("book_close_date is YYYY-MM-DD") from exc
    return {
        "name": str(body.get("name") or f"Sandbox Company {country}"),
        "country": country,
        "home": home,
        "multicurrency": bool(body.get("multicurrency", False)),
        "closed": closed,
        "currencies": list(body.get("currencies") or ["EUR"]),
    }


def build_realm(realm_id: str, body: Any, now: datetime) -> Realm:
    spec = _spec(body)
    realm = Realm(
        realm_id,
        spec["name"],
        spec["country"],
        spec["home"],
        spec["multicurrency"],
        spec["closed"],
        now,
    )
    _accounts(realm, now)
    _taxes(realm, now)
    for name in ("Operations", "Sales"):
        realm.add("Class", _named(name, "SubClass"), now)
    for name in ("Head Office", "North"):
        realm.add("Department", _named(name, "SubDepartment"), now)
    for name, days in (("Net 30", 30), ("Net 15", 15), ("Due on receipt", 0)):
        # A term has no hierarchy (qbo-api.md §4.6): no SubClass or FullyQualifiedName.
        term = {"Name": name, "Active": True, "Type": "STANDARD", "DueDays": days}
        realm.add("Term", term, now)
    if realm.multicurrency:
        for code in spec["currencies"]:
            if code != realm.home_currency:
                name = CURRENCY_NAMES.get(code, code)
                realm.add("CompanyCurrency", {"Code": code, "Name": name, "Active": True}, now)
    realm.add("CompanyInfo", _company_info(realm), now)
    realm.add("Preferences", _preferences(realm), now)
    return realm


def _named(name: str, sub: str) -> Record:
    """A top-level Class (``SubClass``) or Department (``SubDepartment``, as Intuit's
    Department entity and python-quickbooks' class name it)."""
    return {"Name": name, "FullyQualifiedName": name, "Active": True, sub: False}


def _accounts(realm: Realm, now: datetime) -> None:
    for name, kind, sub, classification, active in ACCOUNTS:
        currency = {"value": realm.home_currency, "name": CURRENCY_NAMES[realm.home_currency]}
        record = {
            "Name": name,
            "FullyQualifiedName": name,
            "SubAccount": False,
            "AccountType": kind,
            "AccountSubType": sub,
            "Classification": classification,
            "Active": active,
            "CurrentBalance": Decimal("0"),
            "CurrencyRef": currency,
        }
        realm.add("Account", record, now)


def _taxes(realm: Realm, now: datetime) -> None:
    if realm.us:
        _us_taxes(realm, now)
        return
    _purchase_taxes(realm, now)


def _us_taxes(realm: Realm, now: datetime) -> None:
    if realm.us:
        rate = realm.add(
            "TaxRate",
            {
                "Name": "California",
                "RateValue": Decimal("8"),
                "Active": True,
                "SpecialTaxType": "NONE",
                "DisplayType": "ReadOnly",
            },
            now,
        )
        detail = {
            "TaxRateRef": {"value": rate["Id"], "name": rate["Name"]},
            "TaxTypeApplicable": "TaxOnAmount",
            "TaxOrder": 0,
        }
        realm.add(
            "TaxCode",
            {
                "Name": "California",
                "Active": True,
                "Taxable": True,
                "TaxGroup": True,
                "SalesTaxRateList": {"TaxRateDetail": [detail]},
                "PurchaseTaxRateList": {"TaxRateDetail": []},
            },
            now,
        )
        return


def _purchase_taxes(realm: Realm, now: datetime) -> None:
    for code_name, rates in TAX_TABLES[realm.country]:
        details = []
        for rate_name, percent in rates:
            rate = realm.add(
                "TaxRate",
                {
                    "Name": rate_name,
                    "RateValue": Decimal(percent),
                    "Active": True,
                    "SpecialTaxType": "NONE",
                    "DisplayType": "ReadOnly",
                },
                now,
            )
            details.append(
                {
                    "TaxRateRef": {"value": rate["Id"], "name": rate_name},
                    "TaxTypeApplicable": "TaxOnAmount",
                    "TaxOrder": 0,
                }
            )
        realm.add(
            "TaxCode",
            {
                "Name": code_name,
                "Active": True,
                "Taxable": bool(details),
                "TaxGroup": True,
                "SalesTaxRateList": {"TaxRateDetail": []},
                "PurchaseTaxRateList": {"TaxRateDetail": details},
            },
            now,
        )


def _company_info(realm: Realm) -> Record:
    address = {"Line1": "1 Sandbox Way", "City": "Sandbox", "Country": ALPHA3[realm.country]}
    return {
        "CompanyName": realm.name,
        "LegalName": realm.name,
        "Country": realm.country,
        "CompanyAddr": address,
        "FiscalYearStartMonth": "January",
        "SupportedLanguages": "en",
        "NameValue": [{"Name": "SubscriptionStatus", "Value": "SUBSCRIBED"}],
    }


def _preferences(realm: Realm) -> Record:
    ap = next(a for a in realm.of("Account").values() if a["AccountType"] == "Accounts Payable")
    return {
        "CurrencyPrefs": {
            "MultiCurrencyEnabled": realm.multicurrency,
            "HomeCurrency": {"value": realm.home_currency},
        },
        "AccountingInfoPrefs": {
            "TrackDepartments": True,
            "DepartmentTerminology": "Location",
            "ClassTrackingPerTxn": False,
            "ClassTrackingPerTxnLine": True,
            "BookCloseDate": realm.book_close_date,
            "DefaultAPAccount": {"value": ap["Id"], "name": ap["Name"]},
        },
        "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": False},
        "VendorAndPurchasesPrefs": {"BillableExpenseTracking": True, "TrackingByCustomer": True},
        "SalesFormsPrefs": {"CustomTxnNumbers": False},
    }
