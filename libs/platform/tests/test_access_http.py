"""``OrganisationAdmin`` at an endpoint: the token's organisation must be the path's, its roles
must hold the one asked for, and every refusal is a problem document with the right status and
challenge, naming no token in it or in the log."""

from __future__ import annotations

import logging
import uuid
from typing import Any
from uuid import UUID

import httpx
import pytest
from countersign_platform.access import AccessVerifier, Caller, SigningKeys, generate_seed
from countersign_platform.access_http import (
    OrganisationAdmin,
    OrganisationMember,
    bearer_token,
)
from countersign_platform.problems import install_problem_handlers
from countersign_platform.published_keys import PublishedKeys
from countersign_platform.runtime import Runtime
from countersign_platform.settings import ServiceSettings
from fastapi import FastAPI

from libs.platform.tests.fakes import FakeClock, KeySetEndpoint

KEYS = SigningKeys.parse(f"k1:{generate_seed()}")
NORTHWIND, SOUTHWIND = uuid.uuid4(), uuid.uuid4()


def caller(organisation: UUID = NORTHWIND, *roles: str) -> Caller:
    return Caller(uuid.uuid4(), organisation, frozenset(roles or {"admin"}), "Ada Admin")


def app_with(access: AccessVerifier | None) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.put("/v1/organisations/{organisation_id}/dext-connection")
    async def connect(organisation_id: UUID, admin: OrganisationAdmin) -> dict[str, Any]:
        return {"by": str(admin.user_id), "organisation": str(organisation_id)}

    @app.get("/v1/organisations/{organisation_id}/status")
    async def status(organisation_id: UUID, member: OrganisationMember) -> dict[str, Any]:
        return {"roles": sorted(member.roles)}

    app.state.runtime = Runtime(
        settings=ServiceSettings(database_url="postgresql://unused", kafka_bootstrap_servers="-"),
        pool=None,  # type: ignore[arg-type]
        kafka_admin=None,  # type: ignore[arg-type]
        relay=None,  # type: ignore[arg-type]
        schema="probe",
        connect=None,  # type: ignore[arg-type]
        parts=None,
        access=access,
    )
    return app


async def call(
    app: FastAPI, token: str | None, organisation: UUID = NORTHWIND, path: str = "dext-connection"
) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://service.test"
    ) as http:
        method = "PUT" if path == "dext-connection" else "GET"
        return await http.request(
            method, f"/v1/organisations/{organisation}/{path}", headers=headers
        )


async def test_an_admin_of_the_organisation_is_let_in() -> None:
    admin = caller(NORTHWIND, "admin")

    answer = await call(app_with(AccessVerifier(KEYS)), KEYS.issue(admin, 900))

    assert answer.status_code == 200
    assert answer.json() == {"by": str(admin.user_id), "organisation": str(NORTHWIND)}


async def test_a_member_without_the_role_is_forbidden_and_any_member_may_read() -> None:
    app = app_with(AccessVerifier(KEYS))
    token = KEYS.issue(caller(NORTHWIND, "reviewer", "approver"), 900)

    refused, read = await call(app, token), await call(app, token, path="status")

    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:countersign:problem:forbidden"
    assert refused.json()["detail"] == "this needs the admin role"
    assert read.status_code == 200 and read.json() == {"roles": ["approver", "reviewer"]}


async def test_an_admin_of_another_organisation_finds_no_such_organisation() -> None:
    answer = await call(app_with(AccessVerifier(KEYS)), KEYS.issue(caller(SOUTHWIND), 900))

    assert answer.status_code == 404
    assert answer.json()["title"] == "No such organisation"
    assert str(SOUTHWIND) not in answer.text


async def test_no_token_is_a_401_with_the_bare_bearer_challenge() -> None:
    answer = await call(app_with(AccessVerifier(KEYS)), None)

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["type"] == "urn:countersign:problem:unauthorised"


@pytest.mark.parametrize(
    "token",
    [
        "csk_" + "a" * 43,
        KEYS.issue(caller(), 60, now=0),
        SigningKeys.parse(f"k1:{generate_seed()}").issue(caller(), 900),
    ],
    ids=["api-token", "expired", "forged"],
)
async def test_a_refused_token_is_a_401_invalid_token_that_names_no_token(
    token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    answer = await call(app_with(AccessVerifier(KEYS)), token)

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert answer.headers["content-type"] == "application/problem+json"
    assert token not in answer.text and token not in caplog.text


async def test_a_service_without_a_key_set_accepts_no_access_token() -> None:
    answer = await call(app_with(None), KEYS.issue(caller(), 900))

    assert answer.status_code == 401
    assert "not accepted here" in answer.json()["detail"]


async def test_an_unreachable_key_set_is_a_503_to_retry() -> None:
    endpoint = KeySetEndpoint(failure=httpx.ConnectError("approval is down"))
    published = PublishedKeys(endpoint.url, endpoint.client(), clock=FakeClock())

    answer = await call(app_with(AccessVerifier(published)), KEYS.issue(caller(), 900))

    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["type"] == "urn:countersign:problem:unavailable"


async def test_tokens_verified_through_the_published_set_never_reach_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    endpoint = KeySetEndpoint(KEYS.jwks())
    published = PublishedKeys(endpoint.url, endpoint.client(), clock=FakeClock())
    token = KEYS.issue(caller(), 900)

    answer = await call(app_with(AccessVerifier(published)), token)

    assert answer.status_code == 200
    assert caplog.records and token not in caplog.text
    assert not any(part in caplog.text for part in token.split("."))


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (None, ""),
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", ""),
        ("abc", ""),
    ],
)
def test_the_bearer_token_is_read_from_the_authorization_header(
    header: str | None, token: str
) -> None:
    assert bearer_token(header) == token
