"""Records as Xero returns them: the invoice with its live contact summary, payments and
attachments; attachments with their URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from countersign_xero_sandbox.amounts import unit_amount
from countersign_xero_sandbox.model import Attachment, Record, Tenant

__all__ = [
    "Renderer",
    "render_attachment",
    "render_contact_ref",
    "render_document",
    "render_element",
    "render_lines",
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
    return out


def render_element(record: Record, errors: list[str]) -> Record:
    """A batch element's outcome fields (Xero adds these to every element it echoes)."""
    return {
        **record,
        "HasErrors": bool(errors),
        "StatusAttributeString": "ERROR" if errors else "OK",
        "ValidationErrors": [{"Message": message} for message in errors],
    }
