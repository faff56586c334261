"""``/{Invoices|BankTransactions}/{id}/History``: GET lists the document's history, newest
first; PUT (and POST, "exactly the same as a PUT") adds notes. A request is taken whole or
refused whole: one record in error refuses them all with a ValidationException naming it."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from countersign_xero_sandbox.api_attachments import ID_KEYS, document_of
from countersign_xero_sandbox.history import (
    MAX_DETAILS_LENGTH,
    NOTE,
    record_change,
    render_history,
)
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.wire import (
    envelope,
    post_data_invalid,
    validation_exception,
    xero_json,
)

__all__ = ["add_notes", "get_history"]

DETAILS_REQUIRED = "The Details field is mandatory for each history record."
DETAILS_TOO_LONG = f"The Details field must not be longer than {MAX_DETAILS_LENGTH} characters."


def _document_id(call: Call) -> str:
    record = document_of(call)
    return str(record[ID_KEYS[call.path.split("/")[1]]])


def get_history(call: Call) -> Response:
    records = call.tenant.history.get(_document_id(call), [])
    rendered = [render_history(r) for r in reversed(records)]
    return xero_json(envelope(call.now, HistoryRecords=rendered))


def _errors(raw: Any) -> list[str]:
    details = raw.get("Details") if isinstance(raw, dict) else None
    if not isinstance(details, str) or not details.strip():
        return [DETAILS_REQUIRED]
    if len(details) > MAX_DETAILS_LENGTH:
        return [DETAILS_TOO_LONG]
    return []


def _echo(raw: Any, messages: list[str]) -> dict[str, Any]:
    """A record as a refusal echoes it: its Details (when it sent one), with its errors."""
    echoed: dict[str, Any] = {"ValidationErrors": [{"Message": m} for m in messages]}
    if isinstance(raw, dict) and isinstance(raw.get("Details"), str):
        echoed = {"Details": raw["Details"], **echoed}
    return echoed


def add_notes(call: Call) -> Response:
    document_id = _document_id(call)
    body = call.json_body()
    raws = body.get("HistoryRecords") if isinstance(body, dict) else None
    if not isinstance(raws, list) or not raws:
        raise CallError(post_data_invalid("Expected a JSON object with a HistoryRecords list."))
    errors = [_errors(raw) for raw in raws]
    if any(errors):
        return validation_exception(
            [_echo(raw, messages) for raw, messages in zip(raws, errors, strict=True)]
        )
    added = [record_change(call.tenant, document_id, NOTE, r["Details"], call.now) for r in raws]
    rendered = [render_history(r, created=True) for r in added]
    return xero_json(envelope(call.now, HistoryRecords=rendered))
