"""Validation shared by bills (Invoices) and spend money (BankTransactions): contact
resolution, Url, currency and the period lock date (their lines: ``line_items``).

Every check appends Xero's message to ``errors`` instead of raising, because Xero reports all
the problems of an element at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from countersign_xero_sandbox.currency_rates import rate_on
from countersign_xero_sandbox.dates import parse_date
from countersign_xero_sandbox.line_items import decimal_field
from countersign_xero_sandbox.model import Record, Tenant, contact_name, name_key
from countersign_xero_sandbox.tenancy import new_contact

__all__ = [
    "PendingContacts",
    "check_common",
    "currency_rate",
    "given_date",
    "resolve_contact",
]

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


def given_date(raw: Record, now: datetime, errors: list[str]) -> date:
    """The Date an element gives, else today."""
    if not raw.get("Date"):
        return now.date()
    try:
        return parse_date(raw["Date"])
    except ValueError:
        errors.append(f"The Date '{raw['Date']}' is not a valid date.")
        return now.date()


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
        rate = decimal_field(given, "CurrencyRate", errors)
        if rate is not None and rate > 0:
            return rate
        if rate is not None:
            errors.append("The CurrencyRate must be greater than zero.")
        return Decimal(1)
    table = tenant.rates.get(currency)
    return rate_on(table, day) if table else Decimal(1)
