"""Countersign's bill, payment and expense as QuickBooks Online's JSON (pure; no IO).

    Bill            VendorRef, TxnDate (Dext's date), DueDate, DocNumber (the invoice number,
                    cut to 21), CurrencyRef (multicurrency companies), GlobalTaxCalculation
                    (non-US: TaxExcluded / TaxInclusive / NotApplicable from the line amount
                    type), DepartmentRef (a line tracking named "Department"), PrivateNote
                    (the publication's marker, first line; notes added later below it)
    line            AccountBasedExpenseLineDetail: AccountRef, TaxCodeRef, ClassRef (a line
                    tracking named "Class"), BillableStatus NotBillable; Amount = the line
                    amount (gross when inclusive, as QBO splits it)
    BillPayment     PayType Check (bank account) or CreditCard (card account), TotalAmt = the
                    bill's balance, one line linking the bill
    Purchase        PaymentType Cash (bank account) or CreditCard (card account), EntityRef the
                    vendor, lines as a bill's, PrivateNote the marker

Codes: Dext's ``account_code`` names a QBO Account by its ``AcctNum`` when it has one, else by
its ``Id``; a ``tax_type`` names a TaxCode by ``Id`` (non-US) or is ``TAX`` / ``NON`` (US). The
master-data snapshot (``qbo_master_data``) publishes the same codes, so intake checks hold.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from countersign_contracts import (
    BankAccount,
    BankTransactionSubmitted,
    Bill,
    Ledger,
    LineAmountType,
    LineItem,
    ledger_uuid,
)

from countersign_publisher.adapters.qbo_errors import QboRefused

__all__ = [
    "CLASS",
    "DEPARTMENT",
    "QboCompany",
    "account_code",
    "qbo_bill",
    "qbo_bill_payment",
    "qbo_contact_name",
    "qbo_file_name",
    "qbo_purchase",
    "qbo_uuid",
]

Json = dict[str, Any]
CLASS = "Class"
DEPARTMENT = "Department"
BANK = "Bank"
CARD = "Credit Card"
DOC_NUMBER_MAX = 21

_TAX_CALCULATION = {
    LineAmountType.EXCLUSIVE: "TaxExcluded",
    LineAmountType.INCLUSIVE: "TaxInclusive",
    LineAmountType.NO_TAX: "NotApplicable",
}


def qbo_uuid(organisation_id: UUID, kind: str, qbo_id: str) -> UUID:
    """The name-based UUID standing in for a QBO id where a v1 contract field requires a uuid
    (``xero_contact_id``, master data's ``account_id``…; ``kind`` as the contracts name it:
    ``contact``, ``account``…): the contracts' ``ledger_uuid`` (ADR 0068); the QBO id itself
    is in the ``ledger_*_id`` beside it."""
    return ledger_uuid(Ledger.QBO, organisation_id, kind, qbo_id)


def account_code(account: Json) -> str:
    """The code Dext and the master data name an Account by: its AcctNum, else its Id."""
    return str(account.get("AcctNum") or account["Id"])


@dataclass(frozen=True)
class QboCompany:
    """What the mapping needs to know of the company: where it is, whether it keeps several
    currencies, and its accounts, classes and departments by the names Dext codes with."""

    organisation_id: UUID
    us: bool
    multicurrency: bool
    accounts: dict[str, Json] = field(default_factory=dict)  # by account_code
    classes: dict[str, Json] = field(default_factory=dict)  # by name, casefolded
    departments: dict[str, Json] = field(default_factory=dict)  # by name, casefolded

    def knows(self, codes: AbstractSet[str]) -> bool:
        return codes <= set(self.accounts)

    def account(self, code: str) -> Json:
        found = self.accounts.get(code)
        if found is None:
            raise QboRefused([f"QuickBooks Online has no account {code}"])
        return found

    def paying_account(self, paid_from: BankAccount) -> Json:
        """The bank or card account Dext's payment names (by code, or by its uuid)."""
        if paid_from.code is not None:
            found = self.account(paid_from.code)
        else:
            wanted = paid_from.account_id
            org = self.organisation_id
            match = [
                a for a in self.accounts.values() if qbo_uuid(org, "account", a["Id"]) == wanted
            ]
            if not match:
                raise QboRefused([f"QuickBooks Online has no account {wanted}"])
            found = match[0]
        if found.get("AccountType") not in (BANK, CARD):
            name = found.get("Name")
            raise QboRefused([f"account {name} is not a bank or credit card account"])
        return found

    def option(self, kind: str, name: str) -> Json:
        found = (self.classes if kind == CLASS else self.departments).get(name.casefold())
        if found is None:
            raise QboRefused([f"QuickBooks Online has no {kind.lower()} {name}"])
        return found


def _ref(record: Json) -> Json:
    return {"value": str(record["Id"])}


def _line(company: QboCompany, line: LineItem, inclusive: bool) -> Json:
    detail: Json = {
        "AccountRef": _ref(company.account(line.account_code)),
        "TaxCodeRef": {"value": line.tax_type},
        "BillableStatus": "NotBillable",
    }
    for chosen in line.tracking:
        if chosen.category.casefold() == CLASS.casefold():
            detail["ClassRef"] = _ref(company.option(CLASS, chosen.option))
    if inclusive:
        detail["TaxInclusiveAmt"] = line.line_amount
    return {
        "Amount": line.line_amount,
        "Description": line.description,
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": detail,
    }


def _department(company: QboCompany, lines: list[LineItem]) -> Json | None:
    for line in lines:
        for chosen in line.tracking:
            if chosen.category.casefold() == DEPARTMENT.casefold():
                return _ref(company.option(DEPARTMENT, chosen.option))
    return None


def _document(
    company: QboCompany,
    lines: list[LineItem],
    amounts: LineAmountType,
    currency: str,
    exchange_rate: Decimal | None,
) -> Json:
    """What a bill and a purchase share: lines, tax mode, currency, department."""
    inclusive = amounts is LineAmountType.INCLUSIVE and not company.us
    document: Json = {"Line": [_line(company, line, inclusive) for line in lines]}
    if not company.us:
        document["GlobalTaxCalculation"] = _TAX_CALCULATION[amounts]
    if company.multicurrency:
        document["CurrencyRef"] = {"value": currency}
        if exchange_rate is not None:
            document["ExchangeRate"] = exchange_rate
    department = _department(company, lines)
    if department is not None:
        document["DepartmentRef"] = department
    return document


def qbo_bill(company: QboCompany, bill: Bill, vendor_id: str, marker: str) -> Json:
    return {
        "VendorRef": {"value": vendor_id},
        "TxnDate": bill.issue_date.isoformat(),
        "DueDate": bill.due_date.isoformat(),
        "DocNumber": bill.document_reference[:DOC_NUMBER_MAX],
        "PrivateNote": marker,
        **_document(company, bill.lines, bill.line_amount_type, bill.currency, bill.exchange_rate),
    }


def qbo_bill_payment(company: QboCompany, bill: Bill, record: Json) -> Json:
    """Pays the bill's open balance from the account Dext's payment names."""
    assert bill.payment.account is not None  # the contract requires it when paid
    account = company.paying_account(bill.payment.account)
    balance = Decimal(str(record.get("Balance", record.get("TotalAmt", 0))))
    paid_on: date = bill.payment.paid_on or bill.issue_date
    payment: Json = {
        "VendorRef": {"value": str(record["VendorRef"]["value"])},
        "TxnDate": paid_on.isoformat(),
        "TotalAmt": balance,
        "Line": [
            {"Amount": balance, "LinkedTxn": [{"TxnId": str(record["Id"]), "TxnType": "Bill"}]}
        ],
    }
    if account["AccountType"] == BANK:
        payment["PayType"] = "Check"
        payment["CheckPayment"] = {"BankAccountRef": _ref(account), "PrintStatus": "NotSet"}
    else:
        payment["PayType"] = "CreditCard"
        payment["CreditCardPayment"] = {"CCAccountRef": _ref(account)}
    if company.multicurrency and record.get("CurrencyRef"):
        payment["CurrencyRef"] = {"value": record["CurrencyRef"]["value"]}
    return payment


def qbo_purchase(
    company: QboCompany, item: BankTransactionSubmitted, vendor_id: str, marker: str
) -> Json:
    account = company.paying_account(item.bank_account)
    purchase: Json = {
        "PaymentType": "Cash" if account["AccountType"] == BANK else "CreditCard",
        "AccountRef": _ref(account),
        "EntityRef": {"type": "Vendor", "value": vendor_id},
        "TxnDate": item.transaction_date.isoformat(),
        "PrivateNote": marker,
        **_document(company, item.lines, item.line_amount_type, item.currency, item.exchange_rate),
    }
    if item.reference:
        purchase["DocNumber"] = item.reference[:DOC_NUMBER_MAX]
    return purchase


_NAME_BREAKS = re.compile(r"[:\t\r\n]")
_UNSAFE_FILE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def qbo_contact_name(name: str) -> str:
    """The name as QBO stores it: no ':', tab or line break (QBO refuses them), trimmed, at
    most 500 characters. QBO compares names without regard to case."""
    return _NAME_BREAKS.sub(" ", name).strip()[:500]


def qbo_file_name(name: str) -> str:
    """A file name QBO accepts: reserved characters replaced, at most 1000 characters."""
    return _UNSAFE_FILE_NAME.sub("_", name)[-1000:]
