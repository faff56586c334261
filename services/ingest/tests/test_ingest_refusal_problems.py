"""Ingest's refusals are answered with the problems Dext and operators have always been given:
the same status, type, title, detail and named fields (no IO)."""

from __future__ import annotations

import json

import pytest
from countersign_ingest.api.signed import refuse_replayed
from countersign_ingest.domain.refusals import (
    BrokenRules,
    CursorNotValid,
    DocumentNotFound,
    ItemNotFound,
    NoNewVersion,
    NoRotation,
    NotWithdrawable,
)
from countersign_ingest.domain.rules import Violation
from countersign_ingest.handlers.item_calls import Replayed
from countersign_platform.problems import problem_response, refusal_problem
from countersign_platform.refusals import Refusal
from starlette.requests import Request

URN = "urn:countersign:problem:"


def answered(refusal: Refusal) -> dict[str, object]:
    response = problem_response(refusal_problem(refusal))
    return {"status": response.status_code, **json.loads(bytes(response.body))}


@pytest.mark.parametrize(
    ("refusal", "problem"),
    [
        (
            ItemNotFound("inv-1"),
            {"status": 404, "type": URN + "not-found", "title": "No such item"}
            | {"detail": "item inv-1 is unknown"},
        ),
        (
            DocumentNotFound(),
            {"status": 404, "type": URN + "not-found", "title": "No such document"},
        ),
        (
            NoRotation(),
            {"status": 404, "type": URN + "not-found", "title": "No rotation under way"}
            | {"detail": "there is no previous secret"},
        ),
        (
            NoNewVersion("item inv-1 was withdrawn"),
            {"status": 409, "type": URN + "conflict", "title": "Item cannot take a new version"}
            | {"detail": "item inv-1 was withdrawn"},
        ),
        (
            NotWithdrawable("a bank transaction goes straight to Xero; void it there"),
            {"status": 409, "type": URN + "conflict", "title": "Item cannot be withdrawn"}
            | {"detail": "a bank transaction goes straight to Xero; void it there"},
        ),
        (
            CursorNotValid(),
            {"status": 422, "type": URN + "validation", "title": "Request is not valid"}
            | {"detail": "the cursor is not one this API returned"}
            | {
                "errors": [
                    {
                        "field": "cursor",
                        "rule": "cursor",
                        "message": "use next_cursor from the previous page",
                    }
                ]
            },
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Refusal) else "",
)
def test_each_refusal_is_the_problem_it_always_was(
    refusal: Refusal, problem: dict[str, object]
) -> None:
    assert answered(refusal) == problem


@pytest.mark.parametrize(("count", "detail"), [(1, "1 rule is broken"), (2, "2 rules are broken")])
def test_broken_rules_are_counted_and_each_named(count: int, detail: str) -> None:
    broken = [Violation(f"metadata.f{i}", "rule", f"message {i}") for i in range(count)]

    assert answered(BrokenRules(broken)) == {
        "status": 422,
        "type": URN + "validation",
        "title": "Request is not valid",
        "detail": detail,
        "errors": [
            {"field": f"metadata.f{i}", "rule": "rule", "message": f"message {i}"}
            for i in range(count)
        ],
    }


async def test_a_replayed_call_is_refused_like_any_signature_not_accepted() -> None:
    request = Request({"type": "http", "method": "POST", "path": "/v1/x", "headers": []})

    response = await refuse_replayed(request, Replayed())

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert json.loads(bytes(response.body)) == {
        "type": URN + "unauthorised",
        "title": "Signature not accepted",
        "status": 401,
        "detail": "this call was already made",
        "instance": "/v1/x",
    }
