"""``/BankTransactions``: spend and receive money."""

from __future__ import annotations

from starlette.responses import Response

from countersign_xero_sandbox.bank_transactions import prepare_bank_transaction
from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.documents import PendingContacts
from countersign_xero_sandbox.listing import list_answer, select
from countersign_xero_sandbox.model import Record
from countersign_xero_sandbox.rendering import Renderer, render_document
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.wire import envelope, not_found, xero_json
from countersign_xero_sandbox.writing import batch_answer, elements_of, single_answer

__all__ = [
    "get_bank_transaction",
    "get_bank_transactions",
    "post_bank_transaction",
    "put_bank_transactions",
]

ID_KEY = "BankTransactionID"


def _render(call: Call, with_children: bool = False) -> Renderer:
    url = call.sandbox.accounting_url("/BankTransactions")
    return lambda record: render_document(
        call.tenant, record, ID_KEY, url, with_children, call.unit_places
    )


def _find(call: Call) -> Record:
    record = call.tenant.bank_transactions.get(call.params["record_id"])
    if record is None:
        raise CallError(not_found())
    return record


def put_bank_transactions(call: Call) -> Response:
    pending = PendingContacts()
    elements: list[Element] = []
    for raw in elements_of(call, "BankTransactions"):
        existing = None
        if isinstance(raw, dict) and raw.get(ID_KEY):
            existing = call.tenant.bank_transactions.get(str(raw[ID_KEY]))
            if existing is None:
                elements.append(Element(raw, [f"Bank transaction '{raw[ID_KEY]}' not found."]))
                continue
        elements.append(
            prepare_bank_transaction(
                call.tenant, raw, call.now, pending, existing, call.unit_places
            )
        )
    return batch_answer(call, "BankTransactions", elements, _render(call))


def post_bank_transaction(call: Call) -> Response:
    existing = _find(call)
    raws = elements_of(call, "BankTransactions")
    element = prepare_bank_transaction(
        call.tenant,
        raws[0] if raws else {},
        call.now,
        PendingContacts(),
        existing,
        call.unit_places,
    )
    return single_answer(call, "BankTransactions", element, _render(call))


def get_bank_transactions(call: Call) -> Response:
    records = select(call, call.tenant.bank_transactions.values())
    return list_answer(call, "BankTransactions", records, _render(call))


def get_bank_transaction(call: Call) -> Response:
    # Unlike an invoice, Xero's BankTransaction carries no Attachments list (the spec declares
    # none; HasAttachments only): its files are listed at …/{id}/Attachments.
    rendered = _render(call)(_find(call))
    return xero_json(envelope(call.now, BankTransactions=[rendered]))
