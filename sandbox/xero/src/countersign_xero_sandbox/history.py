"""A document's history and notes, as Xero keeps them (developer.xero.com/documentation/api/
accounting/historyandnotes): records Xero writes itself when something happens to the document,
and notes an API client adds. A record is never changed or removed.

    {"Changes": "Note" | "Approved" | "Attached a file" | …, "User": "System Generated",
     "Details": "…", "DateUTC": <when>}
"""

from __future__ import annotations

from datetime import datetime

from countersign_xero_sandbox.dates import format_datetime
from countersign_xero_sandbox.model import Record, Tenant
from countersign_xero_sandbox.wire import PROVIDER_NAME

__all__ = [
    "MAX_DETAILS_LENGTH",
    "NOTE",
    "SYSTEM_USER",
    "record_change",
    "record_received",
    "render_history",
]

MAX_DETAILS_LENGTH = 2500
"""The PUT's ``Details``: "Max Length 2500 characters" (Xero's History and Notes page)."""

NOTE = "Note"
"""The one kind of change a client can add; every other kind Xero records itself."""

SYSTEM_USER = "System Generated"
"""The user of a record made through the API, a note included."""


def record_change(
    tenant: Tenant, document_id: str, changes: str, details: str, at: datetime
) -> Record:
    record: Record = {"Changes": changes, "User": SYSTEM_USER, "Details": details, "DateUTC": at}
    tenant.history.setdefault(document_id, []).append(record)
    return record


def record_received(tenant: Tenant, invoice: Record) -> None:
    """What Xero records when an invoice arrives through the API (the page's example:
    "Approved", "Received through the Xero API from ABC Org"); a draft is "Created"."""
    changes = "Approved" if invoice.get("Status") == "AUTHORISED" else "Created"
    details = f"Received through the Xero API from {PROVIDER_NAME}"
    record_change(tenant, invoice["InvoiceID"], changes, details, invoice["UpdatedDateUTC"])


def render_history(record: Record, *, created: bool = False) -> Record:
    """A record as GET answers it; ``created``: as the PUT that added the note answers it
    (the spec's ``HistoryRecordCreated`` example: no Changes or User, empty ValidationErrors)."""
    at: datetime = record["DateUTC"]
    dated = {"DateUTCString": at.strftime("%Y-%m-%dT%H:%M:%S"), "DateUTC": format_datetime(at)}
    if created:
        return {**dated, "Details": record["Details"], "ValidationErrors": []}
    return {
        "Changes": record["Changes"],
        **dated,
        "User": record["User"],
        "Details": record["Details"],
    }
