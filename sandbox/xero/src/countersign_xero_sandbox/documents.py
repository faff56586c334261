"""Validation and arithmetic shared by bills (Invoices) and spend money (BankTransactions):
contact resolution, line items with tax per line, Url, currency and the period lock date.

Every check appends Xero's message to ``errors`` instead of raising, because Xero reports all
the problems of an element at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from countersign_xero_sandbox.amounts import (
    ZERO,
    line_amount,
    line_tax,
    money,
    quantity,
    unit_amount,
)
from countersign_xero_sandbox.currency_rates import rate_on
from countersign_xero_sandbox.model import Record, Tenant, contact_name, name_key, new_id
from countersign_xero_sandbox.tenancy import new_contact

__all__ = [
    "NEGATIVE_TOTAL",
    "Lines",
    "PendingContacts",
    "build_lines",
    "check_common",
    "currency_rate",
    "resolve_contact",
]

LINE_AMOUNT_TYPES = {"Exclusive", "Inclusive", "NoTax"}
# Xero's answer to a bill or invoice whose lines sum below zero (it wants a credit note).
NEGATIVE_TOTAL = "The Total for this document must be greater than or equal to zero."
FORBIDDEN_IN_URL = "xero"


@dataclass
class PendingContacts:
    """Contacts a batch creates by name: one per name (``name_key``), stored only if an element
    using it is."""

    by_name: dict[str, Record] = field(default_factory=dict)


def resolve_contact(
    tenant: Tenant, ref: Any, pending: PendingContacts, now: datetime, errors: list[str]
) -> Record | None:
    """The contact a document names: by ContactID, else ContactNumber, else Name (trimmed and
    case-insensitive, as Xero stores and compares names); an unknown name is a new contact."""
    name = contact_name(ref.get("Name")) if isinstance(ref, dict) else ""
    if not isinstance(ref, dict) or not (ref.get("ContactID") or name or ref.get("ContactNumber")):
        errors.append(
            "The Contact must contain at least 1 of the following elements to identify the "
            "contact: Name, ContactID, ContactNumber"
        )
        return None
    contact: Record | None = None
    if ref.get("ContactID"):
        contact = tenant.contacts.get(str(ref["ContactID"]))
        if contact is None:
            errors.append(f"The contact with ContactID '{ref['ContactID']}' could not be found.")
            return None
    elif ref.get("ContactNumber"):
        contact = tenant.contact_by_number(str(ref["ContactNumber"]))
    if contact is None and name:
        contact = tenant.contact_named(name) or pending.by_name.get(name_key(name))
        if contact is None:
            contact = new_contact({"Name": name}, now)
            pending.by_name[name_key(name)] = contact
    if contact is None:
        errors.append(
            f"The contact with ContactNumber '{ref['ContactNumber']}' could not be found."
        )
        return None
    if contact["ContactStatus"] != "ACTIVE":
        errors.append(
            f"The contact '{contact['Name']}' is {contact['ContactStatus'].lower()} and cannot be "
            "used on a new transaction."
        )
    return contact


def check_common(tenant: Tenant, raw: Record, day: date | None, errors: list[str]) -> str:
    """Url, currency and lock date; returns the currency code to use."""
    url = raw.get("Url")
    if url:
        if FORBIDDEN_IN_URL in str(url).casefold():
            errors.append("The Url cannot contain the word 'xero'.")
        elif not str(url).startswith(("http://", "https://")):
            errors.append("The Url must be an absolute http or https address.")
    currency = str(raw.get("CurrencyCode") or tenant.base_currency)
    if currency not in tenant.currencies:
        errors.append(f"Organisation is not subscribed to currency {currency}")
    if day is not None and tenant.lock_date is not None and day <= tenant.lock_date:
        errors.append(
            "The document date cannot be before the period lock date of "
            f"{tenant.lock_date.strftime('%d %B %Y')}. Please contact your accountant or advisor "
            "to change this date."
        )
    return currency


def currency_rate(
    tenant: Tenant, given: Any, currency: str, day: date, errors: list[str]
) -> Decimal:
    """The CurrencyRate a document in ``currency`` dated ``day`` holds: 1 in the base currency;
    else the rate it was given, kept exactly; else the tenant's daily rate for ``day`` (Xero:
    "If no rate is specified, the XE.com day rate is used")."""
    if currency == tenant.base_currency:
        return Decimal(1)
    if given is not None:
        rate = _decimal(given, "CurrencyRate", errors)
        if rate is not None and rate > 0:
            return rate
        if rate is not None:
            errors.append("The CurrencyRate must be greater than zero.")
        return Decimal(1)
    table = tenant.rates.get(currency)
    return rate_on(table, day) if table else Decimal(1)


def _decimal(value: Any, what: str, errors: list[str]) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(f"The {what} '{value}' is not a valid number.")
        return None


def _tracking(tenant: Tenant, raw: Any, errors: list[str]) -> list[Record]:
    items = raw if isinstance(raw, list) else []
    if len(items) > 2:
        errors.append("A maximum of 2 tracking categories can be applied to a line item.")
        return []
    resolved: list[Record] = []
    for item in items:
        category = next(
            (
                c
                for c in tenant.tracking_categories.values()
                if c["Status"] == "ACTIVE"
                and (
                    c["TrackingCategoryID"] == item.get("TrackingCategoryID")
                    or c["Name"].casefold() == str(item.get("Name", "")).casefold()
                )
            ),
            None,
        )
        label = item.get("Name") or item.get("TrackingCategoryID")
        if category is None:
            errors.append(f"The tracking category '{label}' does not exist.")
            continue
        option = next(
            (
                o
                for o in category["Options"]
                if o["Status"] == "ACTIVE"
                and (
                    o["TrackingOptionID"] == item.get("TrackingOptionID")
                    or o["Name"].casefold() == str(item.get("Option", "")).casefold()
                )
            ),
            None,
        )
        if option is None:
            wanted = item.get("Option") or item.get("TrackingOptionID")
            errors.append(
                f"The tracking option '{wanted}' does not exist in tracking category "
                f"'{category['Name']}'."
            )
            continue
        resolved.append(
            {
                "TrackingCategoryID": category["TrackingCategoryID"],
                "TrackingOptionID": option["TrackingOptionID"],
                "Name": category["Name"],
                "Option": option["Name"],
            }
        )
    return resolved


@dataclass
class Lines:
    items: list[Record]
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal


def _line(
    tenant: Tenant,
    raw: Record,
    amount_types: str,
    needs_account: bool,
    unit_places: int,
    errors: list[str],
) -> tuple[Record, Decimal, Decimal]:
    if not str(raw.get("Description") or "").strip() and not raw.get("ItemCode"):
        errors.append("The description field is mandatory for each line item.")
    given_quantity = _decimal(raw.get("Quantity", 1), "Quantity", errors)
    line_quantity = quantity(given_quantity) if given_quantity is not None else Decimal(1)
    given_total = raw.get("LineAmount")
    if raw.get("UnitAmount") is None and given_total is not None:
        # Xero works out the missing unit amount from the line amount.
        amount = money(_decimal(given_total, "LineAmount", errors) or Decimal(0))
        unit = unit_amount(amount / line_quantity, unit_places) if line_quantity else Decimal(0)
    else:
        given_unit = _decimal(raw.get("UnitAmount", 0), "UnitAmount", errors) or Decimal(0)
        unit = unit_amount(given_unit, unit_places)
        amount = line_amount(line_quantity, unit)
        if given_total is not None:
            stated = money(_decimal(given_total, "LineAmount", errors) or Decimal(0))
            if stated != amount:
                errors.append(
                    f"The line total {stated} does not match the expected line total {amount}"
                )
    account: Record | None = None
    code = raw.get("AccountCode")
    if code or raw.get("AccountID"):
        account = tenant.account_by_ref({"Code": code, "AccountID": raw.get("AccountID")})
        label = code or raw.get("AccountID")
        if account is None:
            errors.append(f"Account code '{label}' is not a valid code for this document.")
        elif account["Status"] != "ACTIVE":
            errors.append(
                f"Account code '{label}' has been archived, or has been deleted. Each line item "
                "must reference a valid account."
            )
            account = None
    elif needs_account:
        errors.append("Account code '' is not a valid code for this document.")
    tax_type = raw.get("TaxType") or (account["TaxType"] if account else "NONE")
    rate = Decimal(0)
    if amount_types == "NoTax":
        tax_type = raw.get("TaxType") or "NONE"
    tax_rate = tenant.tax_rates.get(str(tax_type))
    if tax_rate is None or tax_rate["Status"] != "ACTIVE":
        errors.append(
            f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of "
            "transaction."
        )
    elif amount_types != "NoTax":
        rate = Decimal(tax_rate["EffectiveRate"])
    if raw.get("TaxAmount") is not None and amount_types != "NoTax":
        tax = money(_decimal(raw["TaxAmount"], "TaxAmount", errors) or Decimal(0))
    else:
        tax = line_tax(amount, rate, amount_types)
    line: Record = {
        "LineItemID": str(raw.get("LineItemID") or new_id()),
        "Description": str(raw.get("Description") or ""),
        "Quantity": line_quantity,
        "UnitAmount": unit,
        "TaxType": str(tax_type),
        "TaxAmount": tax,
        "LineAmount": amount,
        "Tracking": _tracking(tenant, raw.get("Tracking"), errors),
        "ValidationErrors": [],
    }
    if account is not None:
        line["AccountCode"] = account["Code"]
        line["AccountID"] = account["AccountID"]
    if raw.get("ItemCode"):
        line["ItemCode"] = str(raw["ItemCode"])
    return line, amount, tax


def build_lines(
    tenant: Tenant,
    raw_lines: Any,
    amount_types: str,
    needs_account: bool,
    unit_places: int,
    errors: list[str],
) -> Lines:
    """``unit_places``: the decimal places UnitAmount is rounded to before any arithmetic."""
    if amount_types not in LINE_AMOUNT_TYPES:
        errors.append(
            f"LineAmountTypes '{amount_types}' is not one of Exclusive, Inclusive, NoTax."
        )
        amount_types = "Exclusive"
    items: list[Record] = []
    amounts = ZERO
    tax_total = ZERO
    for raw in raw_lines if isinstance(raw_lines, list) else []:
        line, amount, tax = _line(
            tenant,
            raw if isinstance(raw, dict) else {},
            amount_types,
            needs_account,
            unit_places,
            errors,
        )
        items.append(line)
        amounts += amount
        tax_total += tax
    sub_total = amounts - tax_total if amount_types == "Inclusive" else amounts
    if sub_total + tax_total < 0:
        # A negative line may lower a document; a negative document is a credit note in Xero.
        errors.append(NEGATIVE_TOTAL)
    return Lines(items, sub_total, tax_total, sub_total + tax_total)
