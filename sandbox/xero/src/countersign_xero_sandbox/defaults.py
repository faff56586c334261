"""The default organisation a test gets when it does not describe its own: a small UK chart of
accounts with two BANK accounts and an ARCHIVED one, UK VAT rates, two tracking categories."""

from __future__ import annotations

from typing import Any

__all__ = ["ACCOUNTS", "CURRENCIES", "TAX_RATES", "TRACKING_CATEGORIES"]

CURRENCY_NAMES = {
    "GBP": "British Pound",
    "EUR": "Euro",
    "USD": "United States Dollar",
    "NZD": "New Zealand Dollar",
    "AUD": "Australian Dollar",
    "CAD": "Canadian Dollar",
    "CHF": "Swiss Franc",
}

CURRENCIES = ["GBP", "EUR", "USD"]

ACCOUNTS: list[dict[str, Any]] = [
    {
        "Code": "090",
        "Name": "Business Bank Account",
        "Type": "BANK",
        "BankAccountNumber": "12345678",
    },
    {
        "Code": "091",
        "Name": "Business Savings Account",
        "Type": "BANK",
        "BankAccountNumber": "87654321",
    },
    {"Code": "200", "Name": "Sales", "Type": "REVENUE", "TaxType": "OUTPUT2"},
    {"Code": "310", "Name": "Cost of Goods Sold", "Type": "DIRECTCOSTS", "TaxType": "INPUT2"},
    {"Code": "400", "Name": "Advertising", "Type": "OVERHEADS", "TaxType": "INPUT2"},
    {"Code": "429", "Name": "General Expenses", "Type": "OVERHEADS", "TaxType": "INPUT2"},
    {"Code": "433", "Name": "Insurance", "Type": "OVERHEADS", "TaxType": "EXEMPTINPUT"},
    {"Code": "453", "Name": "Office Expenses", "Type": "OVERHEADS", "TaxType": "INPUT2"},
    {"Code": "461", "Name": "Printing & Stationery", "Type": "OVERHEADS", "TaxType": "INPUT2"},
    {"Code": "493", "Name": "Travel - National", "Type": "OVERHEADS", "TaxType": "INPUT2"},
    {"Code": "610", "Name": "Accounts Receivable", "Type": "CURRENT", "SystemAccount": "DEBTORS"},
    {"Code": "800", "Name": "Accounts Payable", "Type": "CURRLIAB", "SystemAccount": "CREDITORS"},
    {"Code": "820", "Name": "VAT", "Type": "CURRLIAB", "SystemAccount": "GST"},
    {
        "Code": "877",
        "Name": "Owner's Expenses",
        "Type": "CURRLIAB",
        "TaxType": "NONE",
        "EnablePaymentsToAccount": True,
    },
    {
        "Code": "999",
        "Name": "Old Expenses",
        "Type": "EXPENSE",
        "Status": "ARCHIVED",
        "TaxType": "INPUT2",
    },
]

TAX_RATES: list[dict[str, Any]] = [
    {"TaxType": "INPUT2", "Name": "20% (VAT on Expenses)", "EffectiveRate": 20.0},
    {"TaxType": "OUTPUT2", "Name": "20% (VAT on Income)", "EffectiveRate": 20.0},
    {"TaxType": "RRINPUT", "Name": "5% (VAT on Expenses)", "EffectiveRate": 5.0},
    {"TaxType": "ZERORATEDINPUT", "Name": "Zero Rated Expenses", "EffectiveRate": 0.0},
    {"TaxType": "EXEMPTINPUT", "Name": "Exempt Expenses", "EffectiveRate": 0.0},
    {"TaxType": "NONE", "Name": "No VAT", "EffectiveRate": 0.0},
    {
        "TaxType": "INPUT",
        "Name": "17.5% (VAT on Expenses)",
        "EffectiveRate": 17.5,
        "Status": "DELETED",
    },
]

TRACKING_CATEGORIES: list[dict[str, Any]] = [
    {"Name": "Region", "Options": ["North", "South", "West"]},
    {"Name": "Department", "Options": ["Sales", "Operations"]},
]
