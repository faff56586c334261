"""``/Invoices``: create, upsert, update one, list and read."""

from __future__ import annotations

from starlette.responses import Response

from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.documents import PendingContacts
from countersign_xero_sandbox.invoice_pdf import invoice_pdf
from countersign_xero_sandbox.invoices import prepare_invoice
from countersign_xero_sandbox.listing import list_answer, select
from countersign_xero_sandbox.model import Record
from countersign_xero_sandbox.rendering import Renderer, render_document
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.wire import JSON, PDF, envelope, negotiate, not_found, xero_json
from countersign_xero_sandbox.writing import batch_answer, elements_of, single_answer

__all__ = [
    "find_invoice",
    "get_invoice",
    "get_invoices",
    "post_invoice",
    "post_invoices",
    "put_invoices",
]

FILTERS = {
    "IDs": "InvoiceID",
    "InvoiceNumbers": "InvoiceNumber",
    "ContactIDs": "Contact.ContactID",
    "Statuses": "Status",
}


def _render(call: Call, with_children: bool = False) -> Renderer:
    url = call.sandbox.accounting_url("/Invoices")
    return lambda record: render_document(
        call.tenant, record, "InvoiceID", url, with_children, call.unit_places
    )


def find_invoice(call: Call, ref: str) -> Record:
    invoice = call.tenant.invoices.get(ref) or next(
        (i for i in call.tenant.invoices.values() if i["InvoiceNumber"] == ref), None
    )
    if invoice is None:
        raise CallError(not_found())
    return invoice


def _write(call: Call, upsert: bool) -> Response:
    pending = PendingContacts()
    elements: list[Element] = []
    for raw in elements_of(call, "Invoices"):
        existing = None
        if isinstance(raw, dict) and raw.get("InvoiceID"):
            existing = call.tenant.invoices.get(str(raw["InvoiceID"]))
            if existing is None and upsert:
                elements.append(
                    Element(
                        raw, [f"Invoice with InvoiceID '{raw['InvoiceID']}' could not be found."]
                    )
                )
                continue
        elements.append(
            prepare_invoice(call.tenant, raw, call.now, pending, existing, call.unit_places)
        )
    return batch_answer(call, "Invoices", elements, _render(call))


def put_invoices(call: Call) -> Response:
    return _write(call, upsert=False)


def post_invoices(call: Call) -> Response:
    return _write(call, upsert=True)


def post_invoice(call: Call) -> Response:
    existing = find_invoice(call, call.params["record_id"])
    raws = elements_of(call, "Invoices")
    raw = raws[0] if raws else {}
    element = prepare_invoice(
        call.tenant, raw, call.now, PendingContacts(), existing, call.unit_places
    )
    return single_answer(call, "Invoices", element, _render(call))


def _summary(render: Renderer) -> Renderer:
    # Xero lists invoices without their line items unless the call pages ("page=1 - Up to 100
    # invoices will be returned in a single API call with line items shown for each invoice").
    return lambda record: {**render(record), "LineItems": []}


def get_invoices(call: Call) -> Response:
    term = (call.query.get("searchTerm") or "").casefold()
    records = select(
        call,
        call.tenant.invoices.values(),
        FILTERS,
        keep=(lambda r: term in r["InvoiceNumber"].casefold() or term in r["Reference"].casefold())
        if term
        else None,
    )
    render = _render(call) if call.query.get("page") is not None else _summary(_render(call))
    return list_answer(call, "Invoices", records, render)


def get_invoice(call: Call) -> Response:
    """JSON, or with ``Accept: application/pdf`` the invoice rendered as a PDF (as Xero does)."""
    invoice = find_invoice(call, call.params["record_id"])
    if negotiate(call.headers.get("accept"), (JSON, PDF)) == PDF:
        content = invoice_pdf(call.tenant.organisation, invoice, call.unit_places)
        return Response(content, media_type=PDF)
    return xero_json(envelope(call.now, Invoices=[_render(call, with_children=True)(invoice)]))
