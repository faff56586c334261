"""``/Payments``: pay bills (batch PUT, single POST), list, read, delete (reverse)."""

from __future__ import annotations

from decimal import Decimal

from starlette.responses import Response

from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.listing import list_answer, select
from countersign_xero_sandbox.model import Record
from countersign_xero_sandbox.payments import delete_payment, prepare_payment
from countersign_xero_sandbox.rendering import Renderer, render_element, render_payment
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.wire import envelope, not_found, validation_exception, xero_json
from countersign_xero_sandbox.writing import batch_answer, elements_of, single_answer

__all__ = ["get_payment", "get_payments", "post_payment", "post_payments", "put_payments"]


def _render(call: Call, full: bool = True) -> Renderer:
    return lambda payment: render_payment(call.tenant, payment, full)


def put_payments(call: Call) -> Response:
    outstanding: dict[str, Decimal] = {}
    elements: list[Element] = [
        prepare_payment(call.tenant, raw, call.now, outstanding)
        for raw in elements_of(call, "Payments")
    ]
    return batch_answer(call, "Payments", elements, _render(call))


def post_payments(call: Call) -> Response:
    raws = elements_of(call, "Payments")
    if len(raws) != 1:
        return validation_exception(
            [{"ValidationErrors": [{"Message": "POST /Payments takes exactly one payment."}]}]
        )
    element = prepare_payment(call.tenant, raws[0], call.now, {})
    return single_answer(call, "Payments", element, _render(call))


def _find(call: Call) -> Record:
    payment = call.tenant.payments.get(call.params["record_id"])
    if payment is None:
        raise CallError(not_found())
    return payment


def post_payment(call: Call) -> Response:
    """Only deletion: Xero never edits a payment."""
    payment = _find(call)
    raws = elements_of(call, "Payments")
    if not raws or not isinstance(raws[0], dict) or raws[0].get("Status") != "DELETED":
        errors = ['A payment can only be deleted: send {"Status": "DELETED"}.']
    else:
        errors = delete_payment(call.tenant, payment, call.now)
    if errors:
        return validation_exception([render_element("Payments", payment, errors)])
    rendered = render_element("Payments", _render(call)(payment), [])
    return xero_json(envelope(call.now, Payments=[rendered]))


def get_payments(call: Call) -> Response:
    payments = select(call, call.tenant.payments.values())
    return list_answer(call, "Payments", payments, _render(call, full=False))


def get_payment(call: Call) -> Response:
    return xero_json(envelope(call.now, Payments=[_render(call)(_find(call))]))
