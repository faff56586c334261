"""Records as Xero returns them: the invoice with its live contact summary, payments and
attachments; a payment with the invoice it pays; attachments with their URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from countersign_xero_sandbox.amounts import DEFAULT_UNIT_DP, unit_amount
from countersign_xero_sandbox.model import Attachment, Record, Tenant
from countersign_xero_sandbox.wire import with_string_twins

__all__ = [
    "Renderer",
    "render_attachment",
    "render_contact_ref",
    "render_document",
    "render_element",
    "render_lines",
    "render_payment",
]

Renderer = Callable[[Record], Record]


def render_attachment(attachment: Attachment, url: str) -> Record:
    return {
        "AttachmentID": attachment.attachment_id,
        "FileName": attachment.file_name,
        "Url": url,
        "MimeType": attachment.mime_type,
        "ContentLength": len(attachment.content),
        "IncludeOnline": attachment.include_online,
    }


def render_contact_ref(tenant: Tenant, ref: Record) -> Record:
    contact = tenant.contacts.get(str(ref.get("ContactID")))
    if contact is None:
        return ref
    return {
        "ContactID": contact["ContactID"],
        "Name": contact["Name"],
        "ContactStatus": contact["ContactStatus"],
        "IsSupplier": contact["IsSupplier"],
        "IsCustomer": contact["IsCustomer"],
        "HasValidationErrors": False,
    }


def render_lines(lines: list[Record], unit_places: int) -> list[Record]:
    """Line items with UnitAmount shown to the places the request asked for (``unitdp``)."""
    return [{**line, "UnitAmount": unit_amount(line["UnitAmount"], unit_places)} for line in lines]


def render_document(
    tenant: Tenant,
    record: Record,
    id_key: str,
    collection_url: str,
    with_children: bool,
    unit_places: int,
) -> Record:
    """An invoice or bank transaction; ``with_children`` adds Attachments (and Payments)."""
    out: dict[str, Any] = dict(record)
    out["LineItems"] = render_lines(record.get("LineItems") or [], unit_places)
    record_id = record[id_key]
    attachments = tenant.attachments.get(record_id, [])
    out["HasAttachments"] = bool(attachments)
    if record.get("Contact"):
        out["Contact"] = render_contact_ref(tenant, record["Contact"])
    if id_key == "InvoiceID":
        out["Payments"] = [
            {
                "PaymentID": p["PaymentID"],
                "Date": p["Date"],
                "Amount": p["Amount"],
                "Reference": p["Reference"],
                "CurrencyRate": p["CurrencyRate"],
                "HasAccount": True,
                "HasValidationErrors": False,
            }
            for p in tenant.payments.values()
            if p["Invoice"]["InvoiceID"] == record_id and p["Status"] == "AUTHORISED"
        ]
        out["CreditNotes"] = []
        out["Prepayments"] = []
        out["Overpayments"] = []
    if with_children:
        out["Attachments"] = [
            render_attachment(
                a, f"{collection_url}/{record_id}/Attachments/{quote(a.file_name, safe='')}"
            )
            for a in attachments
        ]
    if id_key == "InvoiceID":
        return with_string_twins(out, "Date", "DueDate", "UpdatedDateUTC")
    return with_string_twins(out, "Date")


def _invoice_summary(invoice: Record, contact: Record) -> Record:
    return {
        "Type": invoice["Type"],
        "InvoiceID": invoice["InvoiceID"],
        "InvoiceNumber": invoice["InvoiceNumber"],
        "Payments": [],
        "CreditNotes": [],
        "Prepayments": [],
        "Overpayments": [],
        "HasErrors": False,
        "IsDiscounted": False,
        "Contact": {
            "ContactID": contact.get("ContactID"),
            "ContactNumber": contact.get("ContactNumber", ""),
            "Name": contact.get("Name"),
            "Addresses": [],
            "Phones": [],
            "ContactGroups": [],
            "ContactPersons": [],
            "HasValidationErrors": False,
        },
        "LineItems": [],
        "CurrencyCode": invoice["CurrencyCode"],
    }


def _invoice_in_full(invoice: Record, contact: Record) -> Record:
    full_invoice = {
        "Type": invoice["Type"],
        "InvoiceID": invoice["InvoiceID"],
        "InvoiceNumber": invoice["InvoiceNumber"],
        "Reference": invoice["Reference"],
        "Prepayments": [],
        "Overpayments": [],
        "AmountDue": invoice["AmountDue"],
        "AmountPaid": invoice["AmountPaid"],
        "SentToContact": invoice["SentToContact"],
        "CurrencyRate": invoice["CurrencyRate"],
        "HasErrors": False,
        "IsDiscounted": invoice["IsDiscounted"],
        "Contact": {
            "ContactID": contact.get("ContactID"),
            "Name": contact.get("Name"),
            "ContactPersons": [],
            "HasValidationErrors": False,
        },
        "Date": invoice["Date"],
        "DueDate": invoice.get("DueDate"),
        "Status": invoice["Status"],
        "LineAmountTypes": invoice["LineAmountTypes"],
        "LineItems": render_lines(invoice["LineItems"], DEFAULT_UNIT_DP),
        "SubTotal": invoice["SubTotal"],
        "TotalTax": invoice["TotalTax"],
        "Total": invoice["Total"],
        "UpdatedDateUTC": invoice["UpdatedDateUTC"],
        "CurrencyCode": invoice["CurrencyCode"],
        "FullyPaidOnDate": invoice.get("FullyPaidOnDate"),
    }
    return with_string_twins(full_invoice, "Date", "DueDate", "UpdatedDateUTC")


def _paid_invoice(tenant: Tenant, invoice: Record, full: bool) -> Record:
    """The invoice inside a payment, as the spec's examples show it: in full (with its amounts,
    status and lines as they stand now) in a payment's write answers and ``GET /Payments/{id}``;
    as a summary without amounts or lines in the ``GET /Payments`` list."""
    stored: Record = invoice["Contact"]
    contact: Record = tenant.contacts.get(str(stored.get("ContactID")), stored)
    return _invoice_in_full(invoice, contact) if full else _invoice_summary(invoice, contact)


def render_payment(tenant: Tenant, payment: Record, full: bool) -> Record:
    """A payment with the invoice it pays read live (``full``: see ``_paid_invoice``)."""
    invoice = tenant.invoices.get(str(payment["Invoice"].get("InvoiceID")))
    rendered = with_string_twins(payment, "UpdatedDateUTC")
    if invoice is None:
        return rendered
    return {**rendered, "Invoice": _paid_invoice(tenant, invoice, full)}


# The flag each element type carries for "this element has errors" (spec schemas: Invoice has
# HasErrors; Contact and Payment have HasValidationErrors; BankTransaction has neither).
ERROR_FLAGS = {
    "Invoices": "HasErrors",
    "Contacts": "HasValidationErrors",
    "Payments": "HasValidationErrors",
}


def render_element(collection: str, record: Record, errors: list[str]) -> Record:
    """A batch element's outcome fields (Xero adds these to every element it echoes)."""
    outcome: Record = {
        "StatusAttributeString": "ERROR" if errors else "OK",
        "ValidationErrors": [{"Message": message} for message in errors],
    }
    if collection in ERROR_FLAGS:
        outcome[ERROR_FLAGS[collection]] = bool(errors)
    return {**record, **outcome}
