"""Spend and receive money (BankTransactions): validated like bills, against a BANK account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.documents import (
    PendingContacts,
    check_common,
    currency_rate,
    given_date,
    resolve_contact,
)
from countersign_xero_sandbox.line_items import build_lines
from countersign_xero_sandbox.model import Record, Tenant, new_id

__all__ = ["prepare_bank_transaction"]

TYPES = {"SPEND", "RECEIVE"}
STATUSES = {"AUTHORISED", "DELETED"}


def _update(existing: Record, raw: Record, now: datetime) -> Element:
    wanted = str(raw.get("Status") or existing["Status"])
    if existing["Status"] != "AUTHORISED" or wanted not in STATUSES:
        return Element(existing, ["This bank transaction cannot be modified."])

    def delete() -> None:
        existing["Status"] = wanted
        existing["UpdatedDateUTC"] = now

    return Element(existing, [], delete)


def _bank_account(tenant: Tenant, raw: Record, errors: list[str]) -> Record | None:
    bank = tenant.account_by_ref(raw.get("BankAccount") or {})
    if bank is None:
        errors.append("The BankAccount could not be found; give its AccountID or Code.")
    elif bank["Type"] != "BANK" or bank["Status"] != "ACTIVE":
        errors.append(f"The account '{bank['Code']}' is not an active BANK account.")
    return bank


def _store(tenant: Tenant, record: Record, contact: Record | None) -> None:
    if contact is not None and contact["ContactID"] not in tenant.contacts:
        tenant.contacts[contact["ContactID"]] = contact
    tenant.bank_transactions[record["BankTransactionID"]] = record


def prepare_bank_transaction(
    tenant: Tenant,
    raw: Any,
    now: datetime,
    pending: PendingContacts,
    existing: Record | None,
    unit_places: int,
) -> Element:
    if not isinstance(raw, dict):
        return Element({}, ["A bank transaction must be a JSON object."])
    if existing is not None:
        # Only deletion is supported on an existing spend; anything else is a new document.
        return _update(existing, raw, now)
    errors: list[str] = []
    kind = str(raw.get("Type") or "")
    if kind not in TYPES:
        errors.append("BankTransaction Type must be SPEND or RECEIVE in this sandbox.")
    bank = _bank_account(tenant, raw, errors)
    contact = resolve_contact(tenant, raw.get("Contact"), pending, now, errors)
    day = given_date(raw, now, errors)
    currency = check_common(tenant, raw, day, errors)
    amount_types = str(raw.get("LineAmountTypes") or "Exclusive")
    lines = build_lines(tenant, raw.get("LineItems"), amount_types, True, unit_places, errors)
    if not lines.items:
        errors.append("At least one line item is required.")
    record: Record = {
        "BankTransactionID": new_id(),
        "Type": kind,
        "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]} if contact else {},
        "BankAccount": {"AccountID": bank["AccountID"], "Code": bank["Code"], "Name": bank["Name"]}
        if bank
        else {},
        "Date": day,
        "Reference": str(raw.get("Reference") or ""),
        "Url": str(raw.get("Url") or ""),
        "CurrencyCode": currency,
        "CurrencyRate": currency_rate(tenant, raw.get("CurrencyRate"), currency, day, errors),
        "LineAmountTypes": amount_types,
        "LineItems": lines.items,
        "SubTotal": lines.sub_total,
        "TotalTax": lines.total_tax,
        "Total": lines.total,
        "Status": "AUTHORISED",
        "IsReconciled": bool(raw.get("IsReconciled", False)),
        "HasAttachments": False,
        "UpdatedDateUTC": now,
    }
    return Element(record, errors, lambda: _store(tenant, record, contact))
