"""The publisher's refusals, raised below the API, answer exactly as the problems the routes
used to build themselves: same status, type, title, detail and field errors."""

import json
import uuid
from typing import Any

import pytest
from countersign_platform.problems import problem_response, refusal_problem
from countersign_platform.refusals import Refusal
from countersign_publisher.domain.connection import Tenant, choose_tenant
from countersign_publisher.domain.publication import NotRetryable, PublicationNotFound
from countersign_publisher.handlers.connections import CodeRefused, TokenRefused


def answered(refusal: Refusal) -> tuple[int, dict[str, Any]]:
    response = problem_response(refusal_problem(refusal))
    return response.status_code, json.loads(response.body)


def test_an_unknown_publication_is_404_naming_it() -> None:
    publication_id = uuid.uuid4()
    assert answered(PublicationNotFound(f"{publication_id}")) == (
        404,
        {
            "type": "urn:countersign:problem:not-found",
            "title": "No such publication",
            "status": 404,
            "detail": str(publication_id),
        },
    )


def test_retrying_a_publication_that_did_not_stop_is_409_not_retryable() -> None:
    detail = "state is completed; only failed or parked publications can be retried"
    assert answered(NotRetryable(detail)) == (
        409,
        {
            "type": "urn:countersign:problem:not-retryable",
            "title": "Publication is not failed",
            "status": 409,
            "detail": detail,
        },
    )


def test_a_grant_reaching_no_single_wanted_tenant_is_422_on_tenant_id() -> None:
    tenants = [Tenant("t-1", "One"), Tenant("t-2", "Two")]
    assert choose_tenant(tenants, "t-2") == tenants[1]
    assert choose_tenant(tenants[:1], None) == tenants[0]
    for wanted in (None, "t-3"):
        with pytest.raises(Refusal) as refused:
            choose_tenant(tenants, wanted)
        assert answered(refused.value) == (
            422,
            {
                "type": "urn:countersign:problem:validation",
                "title": "Choose one Xero tenant",
                "status": 422,
                "errors": [
                    {
                        "field": "tenant_id",
                        "rule": "one_tenant",
                        "message": "the grant reaches ['t-1', 't-2']",
                    }
                ],
            },
        )


@pytest.mark.parametrize(
    ("refusal", "title"),
    [
        (CodeRefused, "Xero refused the authorization code"),
        (TokenRefused, "Xero refused the token"),
    ],
)
def test_what_xero_refuses_is_422_without_a_detail(refusal: type[Refusal], title: str) -> None:
    status, body = answered(refusal("", []))
    assert status == 422
    assert body == {"type": "urn:countersign:problem:validation", "title": title, "status": 422}
