"""Payments against bills and invoices: a bill becomes PAID when its AmountDue reaches zero;
deleting a payment puts the amount back and the bill back to AUTHORISED."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from countersign_xero_sandbox.amounts import money
from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.documents import check_common, currency_rate, given_date
from countersign_xero_sandbox.model import Record, Tenant, new_id

__all__ = ["EXCEEDS_OUTSTANDING", "delete_payment", "prepare_payment"]

EXCEEDS_OUTSTANDING = "Payment amount exceeds the amount outstanding on this document"


def _find_invoice(tenant: Tenant, ref: Any, errors: list[str]) -> Record | None:
    if not isinstance(ref, dict) or not (ref.get("InvoiceID") or ref.get("InvoiceNumber")):
        errors.append("You must specify either an InvoiceID or InvoiceNumber for the payment.")
        return None
    if ref.get("InvoiceID"):
        found = tenant.invoices.get(str(ref["InvoiceID"]))
        if found is None:
            errors.append(f"The invoice with InvoiceID '{ref['InvoiceID']}' could not be found.")
        return found
    matches = [i for i in tenant.invoices.values() if i["InvoiceNumber"] == ref["InvoiceNumber"]]
    if not matches:
        errors.append(
            f"The invoice with InvoiceNumber '{ref['InvoiceNumber']}' could not be found."
        )
        return None
    if len(matches) > 1:
        errors.append(
            f"More than one invoice has InvoiceNumber '{ref['InvoiceNumber']}'; use its InvoiceID."
        )
        return None
    return matches[0]


def _account(tenant: Tenant, raw: Record, errors: list[str]) -> Record | None:
    account = tenant.account_by_ref(raw.get("Account") or {})
    if account is None:
        errors.append("The account for the payment could not be found; give its AccountID or Code.")
    elif account["Status"] != "ACTIVE":
        errors.append(f"The account '{account['Code']}' has been archived.")
    elif account["Type"] != "BANK" and not account["EnablePaymentsToAccount"]:
        errors.append(
            f"Payments can only be made to or from a BANK account or an account with payments "
            f"enabled; '{account['Code']}' is neither."
        )
    return account


def _amount(raw: Record, errors: list[str]) -> Decimal:
    """The Amount; that it is above zero is checked only when nothing else is wrong."""
    try:
        amount = money(Decimal(str(raw.get("Amount"))))
    except (InvalidOperation, ValueError):
        errors.append("The payment Amount must be a number.")
        amount = Decimal(0)
    if amount <= 0 and not errors:
        errors.append("The payment Amount must be greater than zero.")
    return amount


def _check_outstanding(
    invoice: Record, amount: Decimal, outstanding: dict[str, Decimal], errors: list[str]
) -> None:
    """The invoice must be AUTHORISED and owe at least ``amount``; a valid payment leaves it
    owing less for the later elements of the batch."""
    known = outstanding.get(invoice["InvoiceID"])
    due: Decimal = invoice["AmountDue"] if known is None else known
    if invoice["Status"] != "AUTHORISED":
        errors.append("Payments can only be made against AUTHORISED documents.")
    elif amount > due:
        errors.append(EXCEEDS_OUTSTANDING)
    else:
        outstanding[invoice["InvoiceID"]] = due - amount if not errors else due


def _store(tenant: Tenant, record: Record, invoice: Record | None) -> None:
    assert invoice is not None
    tenant.payments[record["PaymentID"]] = record
    invoice["AmountPaid"] += record["Amount"]
    invoice["AmountDue"] -= record["Amount"]
    invoice["UpdatedDateUTC"] = record["UpdatedDateUTC"]
    if invoice["AmountDue"] == 0:
        invoice["Status"] = "PAID"
        invoice["FullyPaidOnDate"] = record["Date"]


def prepare_payment(
    tenant: Tenant, raw: Any, now: datetime, outstanding: dict[str, Decimal]
) -> Element:
    """``outstanding`` carries AmountDue as earlier elements of the same batch leave it."""
    if not isinstance(raw, dict):
        return Element({}, ["A payment must be a JSON object."])
    errors: list[str] = []
    invoice = _find_invoice(tenant, raw.get("Invoice"), errors)
    account = _account(tenant, raw, errors)
    amount = _amount(raw, errors)
    day = given_date(raw, now, errors)
    check_common(tenant, {}, day, errors)
    if invoice is not None:
        _check_outstanding(invoice, amount, outstanding, errors)
    # A payment in a foreign currency without a rate takes the day rate of its own date.
    currency = invoice["CurrencyCode"] if invoice else tenant.base_currency
    rate = currency_rate(tenant, raw.get("CurrencyRate"), currency, day, errors)
    record: Record = {
        "PaymentID": new_id(),
        "Date": day,
        "Amount": amount,
        "BankAmount": amount,
        "CurrencyRate": rate,
        "PaymentType": "ACCRECPAYMENT"
        if invoice and invoice["Type"] == "ACCREC"
        else "ACCPAYPAYMENT",
        "Status": "AUTHORISED",
        "Reference": str(raw.get("Reference") or ""),
        "IsReconciled": bool(raw.get("IsReconciled", False)),
        "HasAccount": account is not None,
        "HasValidationErrors": bool(errors),
        "Account": {
            "AccountID": account["AccountID"],
            "Code": account["Code"],
            "Name": account["Name"],
        }
        if account
        else {},
        "Invoice": {
            "InvoiceID": invoice["InvoiceID"],
            "InvoiceNumber": invoice["InvoiceNumber"],
            "Type": invoice["Type"],
            "Contact": invoice["Contact"],
            "CurrencyCode": invoice["CurrencyCode"],
        }
        if invoice
        else dict(raw.get("Invoice") or {}),
        "UpdatedDateUTC": now,
    }
    return Element(record, errors, lambda: _store(tenant, record, invoice))


def delete_payment(tenant: Tenant, payment: Record, now: datetime) -> list[str]:
    if payment["Status"] == "DELETED":
        return ["The payment has already been deleted."]
    invoice = tenant.invoices[payment["Invoice"]["InvoiceID"]]
    payment["Status"] = "DELETED"
    payment["UpdatedDateUTC"] = now
    invoice["AmountPaid"] -= payment["Amount"]
    invoice["AmountDue"] += payment["Amount"]
    invoice["Status"] = "AUTHORISED"
    invoice.pop("FullyPaidOnDate", None)
    invoice["UpdatedDateUTC"] = now
    return []
