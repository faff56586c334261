"""Answers to write calls: batches (``summarizeErrors``) and single-document updates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from countersign_xero_sandbox.batches import Element, settle
from countersign_xero_sandbox.model import Record
from countersign_xero_sandbox.rendering import render_element
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.wire import (
    envelope,
    post_data_invalid,
    validation_exception,
    xero_json,
)

__all__ = ["batch_answer", "elements_of", "single_answer"]


def elements_of(call: Call, collection: str) -> list[Any]:
    """``{"<Collection>": [...]}``, or one bare object (as the SDK sends single writes)."""
    body = call.json_body()
    if isinstance(body, dict) and isinstance(body.get(collection), list):
        return list(body[collection])
    if isinstance(body, dict) and collection not in body:
        return [body]
    raise CallError(post_data_invalid(f"Expected a JSON object with a {collection} list."))


def batch_answer(
    call: Call,
    collection: str,
    elements: list[Element],
    render: Callable[[Record], Record],
) -> Response:
    result = settle(elements, call.summarize_errors)
    if result.refused:
        return validation_exception(
            [render_element(collection, e.record, e.errors) for e in result.elements]
        )
    return xero_json(
        envelope(
            call.now,
            **{
                collection: [
                    render_element(collection, render(e.record) if e.ok else e.record, e.errors)
                    for e in result.elements
                ]
            },
        )
    )


def single_answer(
    call: Call, collection: str, element: Element, render: Callable[[Record], Record]
) -> Response:
    if not element.ok:
        return validation_exception([render_element(collection, element.record, element.errors)])
    element.commit()
    return xero_json(
        envelope(call.now, **{collection: [render_element(collection, render(element.record), [])]})
    )
