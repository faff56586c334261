"""``/RepeatingInvoices``: create templates (PUT; POST also deletes one, given its
RepeatingInvoiceID and Status DELETED), list and read them (repeating.py)."""

from __future__ import annotations

from starlette.responses import Response

from countersign_xero_sandbox.batches import Element, settle
from countersign_xero_sandbox.documents import PendingContacts
from countersign_xero_sandbox.listing import list_answer, select
from countersign_xero_sandbox.model import Record, Tenant
from countersign_xero_sandbox.rendering import render_contact_ref, render_element, render_lines
from countersign_xero_sandbox.repeating import prepare_template
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.wire import envelope, not_found, validation_exception, xero_json
from countersign_xero_sandbox.writing import elements_of

__all__ = [
    "get_repeating_invoice",
    "get_repeating_invoices",
    "post_repeating_invoices",
    "put_repeating_invoices",
    "render_template",
]


def render_template(tenant: Tenant, template: Record) -> Record:
    out = dict(template)
    out["LineItems"] = render_lines(template["LineItems"], 2)
    if template.get("Contact"):
        out["Contact"] = render_contact_ref(tenant, template["Contact"])
    return out


def _delete(tenant: Tenant, raw: Record) -> Element:
    template = tenant.repeating_invoices.get(str(raw["RepeatingInvoiceID"]))
    if template is None:
        message = f"RepeatingInvoice with ID '{raw['RepeatingInvoiceID']}' could not be found."
        return Element(raw, [message])
    return Element(template, [], lambda: template.update(Status="DELETED"))


def _write(call: Call, deletes: bool) -> Response:
    pending = PendingContacts()
    elements = [
        _delete(call.tenant, raw)
        if deletes and isinstance(raw, dict) and raw.get("RepeatingInvoiceID")
        else prepare_template(call.tenant, raw, call.now, pending)
        for raw in elements_of(call, "RepeatingInvoices")
    ]
    # The spec's RepeatingInvoice declares no StatusAttributeString or ValidationErrors: an
    # accepted template is answered as it reads, a refusal as the ValidationException.
    result = settle(elements, summarize_errors=True)
    if result.refused:
        return validation_exception(
            [render_element("RepeatingInvoices", e.record, e.errors) for e in result.elements]
        )
    rendered = [render_template(call.tenant, e.record) for e in result.elements]
    return xero_json(envelope(call.now, RepeatingInvoices=rendered))


def put_repeating_invoices(call: Call) -> Response:
    return _write(call, deletes=False)


def post_repeating_invoices(call: Call) -> Response:
    return _write(call, deletes=True)


def get_repeating_invoices(call: Call) -> Response:
    records = select(call, call.tenant.repeating_invoices.values())
    return list_answer(
        call, "RepeatingInvoices", records, lambda r: render_template(call.tenant, r)
    )


def get_repeating_invoice(call: Call) -> Response:
    template = call.tenant.repeating_invoices.get(call.params["record_id"])
    if template is None:
        raise CallError(not_found())
    rendered = render_template(call.tenant, template)
    return xero_json(envelope(call.now, RepeatingInvoices=[rendered]))
