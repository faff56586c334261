"""Countersign's bill and bank transaction as Xero's JSON (pure; no IO)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from countersign_contracts import (
    BankAccount,
    BankTransactionSubmitted,
    Bill,
    LineAmountType,
    LineItem,
)

__all__ = ["xero_account", "xero_bank_transaction", "xero_bill", "xero_payment"]

Json = dict[str, Any]

_LINE_AMOUNT_TYPES = {
    LineAmountType.EXCLUSIVE: "Exclusive",
    LineAmountType.INCLUSIVE: "Inclusive",
    LineAmountType.NO_TAX: "NoTax",
}


def _number(value: Decimal) -> float:
    # Xero reads JSON numbers. Our amounts have at most 4 decimal places and far fewer than 15
    # significant digits, where a float's shortest repr is the same decimal text.
    return float(value)


def _line(line: LineItem) -> Json:
    tracking = []
    for chosen in line.tracking:
        entry: Json = {"Name": chosen.category, "Option": chosen.option}
        if chosen.category_id is not None:
            entry["TrackingCategoryID"] = str(chosen.category_id)
        if chosen.option_id is not None:
            entry["TrackingOptionID"] = str(chosen.option_id)
        tracking.append(entry)
    xero: Json = {
        "Description": line.description,
        "Quantity": _number(line.quantity),
        "UnitAmount": _number(line.unit_amount),
        "AccountCode": line.account_code,
        "TaxType": line.tax_type,
        "TaxAmount": _number(line.tax_amount),
        "LineAmount": _number(line.line_amount),
    }
    if tracking:
        xero["Tracking"] = tracking
    if line.item_code:
        xero["ItemCode"] = line.item_code
    return xero


def xero_account(account: BankAccount) -> Json:
    if account.account_id is not None:
        return {"AccountID": str(account.account_id)}
    return {"Code": account.code}


def xero_bill(bill: Bill, contact_id: UUID, url: str) -> Json:
    invoice: Json = {
        "Type": "ACCPAY",
        "Status": "AUTHORISED",
        "Contact": {"ContactID": str(contact_id)},
        "InvoiceNumber": bill.document_reference,
        "Date": bill.issue_date.isoformat(),
        "DueDate": bill.due_date.isoformat(),
        "CurrencyCode": bill.currency,
        "LineAmountTypes": _LINE_AMOUNT_TYPES[bill.line_amount_type],
        "LineItems": [_line(line) for line in bill.lines],
        "Url": url,
    }
    if bill.exchange_rate is not None:
        invoice["CurrencyRate"] = _number(bill.exchange_rate)
    return invoice


def xero_payment(bill: Bill, invoice_id: UUID) -> Json:
    assert bill.payment.account is not None  # the contract requires it when paid
    return {
        "Invoice": {"InvoiceID": str(invoice_id)},
        "Account": xero_account(bill.payment.account),
        "Date": (bill.payment.paid_on or bill.issue_date).isoformat(),
        "Amount": _number(bill.total),
    }


def xero_bank_transaction(item: BankTransactionSubmitted, contact_id: UUID, url: str) -> Json:
    transaction: Json = {
        "Type": "SPEND",
        "Status": "AUTHORISED",
        "Contact": {"ContactID": str(contact_id)},
        "BankAccount": xero_account(item.bank_account),
        "Date": item.transaction_date.isoformat(),
        "CurrencyCode": item.currency,
        "LineAmountTypes": _LINE_AMOUNT_TYPES[item.line_amount_type],
        "LineItems": [_line(line) for line in item.lines],
        "Url": url,
    }
    if item.reference:
        transaction["Reference"] = item.reference
    if item.exchange_rate is not None:
        transaction["CurrencyRate"] = _number(item.exchange_rate)
    return transaction
