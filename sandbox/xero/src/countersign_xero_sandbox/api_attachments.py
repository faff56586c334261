"""``/{Invoices|BankTransactions}/{id}/Attachments[/{FileName}]``: raw-body upload (PUT adds,
a known name is replaced; POST replaces), list, download."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote, unquote

from starlette.responses import Response

from countersign_xero_sandbox.history import record_change
from countersign_xero_sandbox.model import Attachment, Record, new_id
from countersign_xero_sandbox.rendering import render_attachment
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.wire import (
    JSON,
    PROVIDER_NAME,
    envelope,
    negotiate,
    not_found,
    validation_exception,
    xero_json,
)

__all__ = ["ID_KEYS", "document_of", "get_attachment", "list_attachments", "upload_attachment"]

FORBIDDEN_IN_NAME = set('<>:"/\\|?*\0+')
ID_KEYS = {"Invoices": "InvoiceID", "BankTransactions": "BankTransactionID"}


def _collection(call: Call) -> str:
    return call.path.split("/")[1]


def document_of(call: Call) -> Record:
    """The invoice (by id or number) or bank transaction the path names; 404 when none."""
    collection = _collection(call)
    records = call.tenant.invoices if collection == "Invoices" else call.tenant.bank_transactions
    ref = call.params["record_id"]
    record = records.get(ref)
    if record is None and collection == "Invoices":
        record = next((i for i in records.values() if i["InvoiceNumber"] == ref), None)
    if record is None:
        raise CallError(not_found())
    return record


def _url(call: Call, record_id: str, file_name: str) -> str:
    name = quote(file_name, safe="")
    return call.sandbox.accounting_url(f"/{_collection(call)}/{record_id}/Attachments/{name}")


def _refuse(message: str) -> Response:
    return validation_exception([{"ValidationErrors": [{"Message": message}]}])


def upload_attachment(call: Call) -> Response:
    record = document_of(call)
    record_id = record[ID_KEYS[_collection(call)]]
    file_name = unquote(call.params["file_name"])
    settings = call.sandbox.settings
    if len(call.body) > settings.max_attachment_bytes:
        return Response(b"", status_code=413)
    if not file_name.strip() or FORBIDDEN_IN_NAME & set(file_name):
        return _refuse(
            f"The file name '{file_name}' is not valid: it must not be empty or contain any of "
            '< > : " / \\ | ? * NUL +'
        )
    if not call.body:
        return _refuse("The attachment is empty.")
    attachments = call.tenant.attachments.setdefault(record_id, [])
    same_name = next((a for a in attachments if a.file_name == file_name), None)
    if same_name is None and len(attachments) >= settings.max_attachments:
        return _refuse(
            f"A maximum of {settings.max_attachments} attachments can be added to a document."
        )
    declared = call.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
    mime = declared
    if declared in {"", "application/octet-stream"}:
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    include_online = call.query.get("IncludeOnline", "false").lower() == "true"
    attachment = Attachment(new_id(), file_name, mime, call.body, include_online)
    if same_name is not None:
        attachments[attachments.index(same_name)] = attachment
    else:
        attachments.append(attachment)
    record["HasAttachments"] = True
    record_change(
        call.tenant,
        record_id,
        "Attached a file",
        f"Attached the file {file_name} through the Xero API using {PROVIDER_NAME}",
        call.now,
    )
    rendered = render_attachment(attachment, _url(call, record_id, file_name))
    return xero_json(envelope(call.now, Attachments=[rendered]))


def list_attachments(call: Call) -> Response:
    record = document_of(call)
    record_id = record[ID_KEYS[_collection(call)]]
    rendered = [
        render_attachment(a, _url(call, record_id, a.file_name))
        for a in call.tenant.attachments.get(record_id, [])
    ]
    return xero_json(envelope(call.now, Attachments=rendered))


def get_attachment(call: Call) -> Response:
    record = document_of(call)
    record_id = record[ID_KEYS[_collection(call)]]
    wanted = unquote(call.params["file_name"])
    found = next(
        (
            a
            for a in call.tenant.attachments.get(record_id, [])
            if wanted in {a.attachment_id, a.file_name}
        ),
        None,
    )
    if found is None:
        raise CallError(not_found())
    # The SDK asks for application/octet-stream; the bytes go out with the file's own type.
    offered = (found.mime_type, "application/octet-stream", JSON)
    if negotiate(call.headers.get("accept"), offered) is None:
        return Response(f"This file is {found.mime_type}", status_code=406)
    return Response(found.content, media_type=found.mime_type)
