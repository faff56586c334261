"""Line items of bills (Invoices) and spend money (BankTransactions): the amounts, account,
tax and tracking of each line, and the totals of the document they make.

Every check appends Xero's message to ``errors`` instead of raising, because Xero reports all
the problems of an element at once.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from countersign_xero_sandbox.model import Record, Tenant, new_id
from countersign_xero_sandbox.tenancy import CAN_APPLY_TO

__all__ = [
    "LINE_AMOUNT_TYPES",
    "NEGATIVE_TOTAL",
    "Lines",
    "build_lines",
    "decimal_field",
]

LINE_AMOUNT_TYPES = {"Exclusive", "Inclusive", "NoTax"}
# Xero's answer to a bill or invoice whose lines sum below zero (it wants a credit note).
NEGATIVE_TOTAL = "The Total for this document must be greater than or equal to zero."


def decimal_field(value: Any, what: str, errors: list[str]) -> Decimal | None:
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


def _amounts(raw: Record, unit_places: int, errors: list[str]) -> tuple[Decimal, Decimal, Decimal]:
    """Quantity, UnitAmount and LineAmount, each rounded as Xero rounds it."""
    given_quantity = decimal_field(raw.get("Quantity", 1), "Quantity", errors)
    line_quantity = quantity(given_quantity) if given_quantity is not None else Decimal(1)
    given_total = raw.get("LineAmount")
    if raw.get("UnitAmount") is None and given_total is not None:
        # Xero works out the missing unit amount from the line amount.
        amount = money(decimal_field(given_total, "LineAmount", errors) or Decimal(0))
        unit = unit_amount(amount / line_quantity, unit_places) if line_quantity else Decimal(0)
        return line_quantity, unit, amount
    given_unit = decimal_field(raw.get("UnitAmount", 0), "UnitAmount", errors) or Decimal(0)
    unit = unit_amount(given_unit, unit_places)
    amount = line_amount(line_quantity, unit)
    if given_total is not None:
        stated = money(decimal_field(given_total, "LineAmount", errors) or Decimal(0))
        if stated != amount:
            errors.append(
                f"The line total {stated} does not match the expected line total {amount}"
            )
    return line_quantity, unit, amount


def _account(tenant: Tenant, raw: Record, needs_account: bool, errors: list[str]) -> Record | None:
    """The active account a line names by AccountCode or AccountID."""
    code = raw.get("AccountCode")
    if not (code or raw.get("AccountID")):
        if needs_account:
            errors.append("Account code '' is not a valid code for this document.")
        return None
    account = tenant.account_by_ref({"Code": code, "AccountID": raw.get("AccountID")})
    label = code or raw.get("AccountID")
    if account is None:
        errors.append(f"Account code '{label}' is not a valid code for this document.")
    elif account["Status"] != "ACTIVE":
        errors.append(
            f"Account code '{label}' has been archived, or has been deleted. Each line item "
            "must reference a valid account."
        )
        return None
    return account


def _tax(
    tenant: Tenant,
    raw: Record,
    account: Record | None,
    amount: Decimal,
    amount_types: str,
    errors: list[str],
) -> tuple[str, Decimal]:
    """The line's TaxType (given, else its account's) and TaxAmount (given, else worked out)."""
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
    elif account is not None and not tax_rate.get(CAN_APPLY_TO.get(account["Class"], ""), True):
        errors.append(
            f"The TaxType code '{tax_type}' cannot be used with account code "
            f"'{account.get('Code') or account['Name']}'."
        )
    elif amount_types != "NoTax":
        rate = Decimal(tax_rate["EffectiveRate"])
    if raw.get("TaxAmount") is not None and amount_types != "NoTax":
        tax = money(decimal_field(raw["TaxAmount"], "TaxAmount", errors) or Decimal(0))
    else:
        tax = line_tax(amount, rate, amount_types)
    return str(tax_type), tax


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
    line_quantity, unit, amount = _amounts(raw, unit_places, errors)
    account = _account(tenant, raw, needs_account, errors)
    tax_type, tax = _tax(tenant, raw, account, amount, amount_types, errors)
    line: Record = {
        "LineItemID": str(raw.get("LineItemID") or new_id()),
        "Description": str(raw.get("Description") or ""),
        "Quantity": line_quantity,
        "UnitAmount": unit,
        "TaxType": tax_type,
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
