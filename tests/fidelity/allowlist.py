"""What the real Xero API returns beyond its OpenAPI schemas, which the sandbox may return too.

Everything else a schema does not declare is drift: the sandbox must not invent fields. Each
entry names its evidence; an allowed field is still checked against the schema given here.
Keep this list short: a field earns a place only when Xero is documented to send it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ENVELOPE", "EXTRA_PROPERTIES", "OPEN_SCHEMAS"]

_STRING: dict[str, Any] = {"type": "string"}
_MS_DATE: dict[str, Any] = {"type": "string", "msDate": True}

# The top level of every 2xx Accounting answer. The schemas (Invoices, Contacts, …) declare only
# the collection and `pagination`, yet the spec's own response examples show these four on every
# envelope (e.g. `GET /Invoices`: "Id", "Status": "OK", "ProviderName", "DateTimeUTC":
# "/Date(1552326816230)/").
ENVELOPE: dict[str, dict[str, Any]] = {
    "Id": {"type": "string", "format": "uuid"},
    "Status": _STRING,
    "ProviderName": _STRING,
    "DateTimeUTC": _MS_DATE,
}

# Per component schema: properties the spec's own response examples show but the schema omits.
EXTRA_PROPERTIES: dict[str, dict[str, dict[str, Any]]] = {
    # `GET /Invoices`, `GET /Invoices/{InvoiceID}` examples: "DateString": "2018-10-20 00:00:00",
    # "DueDateString": "2018-12-30 00:00:00" beside the MS-JSON Date and DueDate.
    "Invoice": {"DateString": _STRING, "DueDateString": _STRING},
    # `GET /BankTransactions` examples: "DateString" beside Date.
    "BankTransaction": {"DateString": _STRING},
    # `GET /Invoices/{InvoiceID}/History` (HistoryRetrieved) and `PUT …/History`
    # (HistoryRecordCreated) examples: "DateUTCString": "2018-11-08T15:01:21" beside DateUTC;
    # the PUT's records carry "ValidationErrors": [] too.
    "HistoryRecord": {
        "DateUTCString": _STRING,
        "ValidationErrors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ValidationError"},
        },
    },
    # `PUT /Invoices`, `GET /Invoices/{InvoiceID}`, `PUT /BankTransactions` examples: every line
    # item carries "ValidationErrors": [] (the line's own errors in a batch answer).
    "LineItem": {
        "ValidationErrors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ValidationError"},
        }
    },
}

# Schemas whose objects may carry any further property. `Element`: a ValidationException's
# Elements echo the submitted object with its errors — the spec's 400 examples show whole
# accounts and contacts there (e.g. `PUT /Accounts`: AccountID, Code, Name, Type, Description,
# ValidationErrors) although the schema declares only the IDs and ValidationErrors.
OPEN_SCHEMAS: frozenset[str] = frozenset({"Element"})
