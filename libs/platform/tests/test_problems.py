"""Refusals are RFC 9457 problem documents that name the field and the rule."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from countersign_platform import refusals
from countersign_platform.problems import FieldError, Problem, install_problem_handlers
from fastapi import FastAPI
from pydantic import BaseModel, Field


class Line(BaseModel):
    amount: int = Field(ge=0)


class Body(BaseModel):
    name: str = Field(min_length=1)
    lines: list[Line]


def app() -> FastAPI:
    api = FastAPI()
    install_problem_handlers(api)

    @api.post("/things")
    async def create(body: Body) -> dict[str, str]:
        if body.name == "taken":
            raise Problem(409, "conflict", "Name taken", errors=[FieldError("name", "unique", "x")])
        return {"ok": "yes"}

    @api.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @api.get("/database-restarting")
    async def restarting() -> None:
        raise asyncpg.CannotConnectNowError("the database system is starting up")

    @api.get("/database-gone")
    async def gone() -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    return api


async def call(method: str, path: str, **kwargs: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path, **kwargs)  # type: ignore[arg-type]


async def test_invalid_body_names_each_field_path_and_rule() -> None:
    response = await call("POST", "/things", json={"name": "", "lines": [{"amount": -1}]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:countersign:problem:validation"
    assert problem["status"] == 422
    fields = {(e["field"], e["rule"]) for e in problem["errors"]}
    assert fields == {("name", "string_too_short"), ("lines[0].amount", "greater_than_equal")}


async def test_a_body_breaking_thousands_of_rules_lists_the_first_fifty() -> None:
    response = await call("POST", "/things", json={"name": "x", "lines": [{}] * 10_000})

    problem = response.json()
    assert response.status_code == 422
    assert len(problem["errors"]) == 50
    assert problem["detail"] == "10000 fields are not valid (the first 50 listed)"


async def test_raised_problem_keeps_its_status_and_errors() -> None:
    response = await call("POST", "/things", json={"name": "taken", "lines": []})
    assert response.status_code == 409
    assert response.json()["errors"] == [{"field": "name", "rule": "unique", "message": "x"}]


async def test_unknown_route_is_a_problem_too() -> None:
    response = await call("GET", "/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_unexpected_error_hides_internals() -> None:
    response = await call("GET", "/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["type"] == "urn:countersign:problem:internal"


@pytest.mark.parametrize("path", ["/database-restarting", "/database-gone"])
async def test_a_database_outage_is_a_503_to_retry_not_a_500(path: str) -> None:
    response = await call("GET", path)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"] == "urn:countersign:problem:unavailable"
    assert "5432" not in response.text


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (refusals.NotFound("no such request"), 404),
        (refusals.Forbidden("not yours"), 403),
        (refusals.Conflict("already decided"), 409),
        (refusals.Invalid("bad", [refusals.FieldError("comment", "max_length", "too long")]), 422),
        (refusals.Refusal("no"), 409),
    ],
)
async def test_a_refusal_is_answered_with_the_status_its_category_means(
    refusal: refusals.Refusal, status: int
) -> None:
    refusing = FastAPI()
    install_problem_handlers(refusing)

    @refusing.get("/refused")
    async def refused() -> None:
        raise refusal

    transport = httpx.ASGITransport(app=refusing)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        answer = await http.get("/refused")

    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == f"urn:countersign:problem:{refusal.kind}"
    assert answer.json()["detail"] == refusal.detail
