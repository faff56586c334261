"""Which handler serves which Accounting call (paths after ``/api.xro/2.0``)."""

from __future__ import annotations

import re

from countersign_xero_sandbox import (
    api_attachments as attachments,
    api_bank_transactions as bank,
    api_contacts as contacts,
    api_history as history,
    api_invoices as invoices,
    api_payments as payments,
    api_repeating as repeating,
    api_settings as settings,
)
from countersign_xero_sandbox.pipeline import Handler, Route
from countersign_xero_sandbox.wire import JSON, PDF

__all__ = ["ACCOUNTING_ROUTES"]

_ID = r"(?P<record_id>[^/]+)"
_FILE = r"(?P<file_name>[^/]+)"
_DOCS = r"/(?:Invoices|BankTransactions)"


def _route(method: str, pattern: str, handler: Handler, media: tuple[str, ...] = (JSON,)) -> Route:
    return Route(method, re.compile(pattern, re.IGNORECASE), handler, media)


ACCOUNTING_ROUTES = [
    _route("PUT", r"/Invoices", invoices.put_invoices),
    _route("POST", r"/Invoices", invoices.post_invoices),
    _route("GET", r"/Invoices", invoices.get_invoices),
    _route("GET", rf"/Invoices/{_ID}", invoices.get_invoice, (JSON, PDF)),
    _route("POST", rf"/Invoices/{_ID}", invoices.post_invoice),
    _route("PUT", rf"{_DOCS}/{_ID}/Attachments/{_FILE}", attachments.upload_attachment),
    _route("POST", rf"{_DOCS}/{_ID}/Attachments/{_FILE}", attachments.upload_attachment),
    _route("GET", rf"{_DOCS}/{_ID}/Attachments", attachments.list_attachments),
    # The file's own type: the handler negotiates once it knows the file.
    _route("GET", rf"{_DOCS}/{_ID}/Attachments/{_FILE}", attachments.get_attachment, ()),
    _route("GET", rf"{_DOCS}/{_ID}/History", history.get_history),
    _route("PUT", rf"{_DOCS}/{_ID}/History", history.add_notes),
    _route("POST", rf"{_DOCS}/{_ID}/History", history.add_notes),
    _route("PUT", r"/RepeatingInvoices", repeating.put_repeating_invoices),
    _route("POST", r"/RepeatingInvoices", repeating.post_repeating_invoices),
    _route("GET", r"/RepeatingInvoices", repeating.get_repeating_invoices),
    _route("GET", rf"/RepeatingInvoices/{_ID}", repeating.get_repeating_invoice),
    _route("PUT", r"/Payments", payments.put_payments),
    _route("POST", r"/Payments", payments.post_payments),
    _route("GET", r"/Payments", payments.get_payments),
    _route("GET", rf"/Payments/{_ID}", payments.get_payment),
    _route("POST", rf"/Payments/{_ID}", payments.post_payment),
    _route("PUT", r"/BankTransactions", bank.put_bank_transactions),
    _route("POST", r"/BankTransactions", bank.put_bank_transactions),
    _route("GET", r"/BankTransactions", bank.get_bank_transactions),
    _route("GET", rf"/BankTransactions/{_ID}", bank.get_bank_transaction),
    _route("POST", rf"/BankTransactions/{_ID}", bank.post_bank_transaction),
    _route("PUT", r"/Contacts", contacts.put_contacts),
    _route("POST", r"/Contacts", contacts.post_contacts),
    _route("GET", r"/Contacts", contacts.get_contacts),
    _route("GET", rf"/Contacts/{_ID}", contacts.get_contact),
    _route("POST", rf"/Contacts/{_ID}", contacts.post_contact),
    _route("GET", r"/Accounts", settings.get_accounts),
    _route("GET", rf"/Accounts/{_ID}", settings.get_account),
    _route("GET", r"/TaxRates", settings.get_tax_rates),
    _route("GET", r"/TrackingCategories", settings.get_tracking_categories),
    _route("GET", rf"/TrackingCategories/{_ID}", settings.get_tracking_category),
    _route("GET", r"/Currencies", settings.get_currencies),
    _route("PUT", r"/Currencies", settings.put_currencies),
    _route("GET", r"/Organisation", settings.get_organisation),
]
