"""JSON bodies are read one strict way: each key once, bounded depth and size, UTF-8, numbers
that are numbers; each refusal a problem naming the field (or the key's path) and the rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from countersign_platform.json_bodies import MAX_DEPTH, StrictJsonRoute, parse_json
from countersign_platform.problems import Problem, install_problem_handlers
from countersign_platform.service import build_app
from countersign_platform.settings import ServiceSettings
from countersign_platform.spec import ServiceSpec
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel


def refusal(raw: str | bytes, **where: str) -> tuple[int, str, str]:
    with pytest.raises(Problem) as refused:
        parse_json(raw, **where)
    [error] = refused.value.errors
    return refused.value.status, error.field, error.rule


def test_a_key_twice_is_refused_naming_its_path() -> None:
    assert refusal('{"supplier": "A", "total": "1", "supplier": "B"}') == (
        422,
        "supplier",
        "duplicate_key",
    )
    nested = '{"lines": [{"total": "1"}, {"total": "1", "total": "9"}]}'
    assert refusal(nested, field="metadata", prefix="metadata") == (
        422,
        "metadata.lines[1].total",
        "duplicate_key",
    )


def test_the_same_key_in_two_objects_is_not_a_duplicate() -> None:
    assert parse_json('{"a": {"name": 1}, "b": {"name": 2}}') == {
        "a": {"name": 1},
        "b": {"name": 2},
    }


def test_nesting_is_bounded_and_a_hundred_thousand_levels_are_refused_not_a_crash() -> None:
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    deeper = MAX_DEPTH + 1
    assert refusal("[" * deeper + "]" * deeper) == (422, "body", "json_too_deep")
    assert refusal('{"a":' * deeper + "1" + "}" * deeper) == (422, "body", "json_too_deep")
    assert refusal(b"[" * 100_000 + b"]" * 100_000) == (422, "body", "json_too_deep")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"a": 1e400}',
        b'{"a": ' + b"9" * 5000 + b"}",
        b'{"a": "\xc0\xaf"}',  # overlong UTF-8 for "/"
        b'{"a": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8
        '{"a": 1}'.encode("utf-16"),
        b'{"a": 1,}',
    ],
    ids=repr,
)
def test_what_is_not_json_or_not_utf_8_is_json_invalid(raw: bytes) -> None:
    assert refusal(raw) == (422, "body", "json_invalid")


def test_a_lone_surrogate_escape_is_refused_and_a_pair_is_a_character() -> None:
    assert refusal('{"name": "Acme\\ud800"}') == (422, "name", "lone_surrogate")
    assert refusal('{"names": {"\\udc00": 1}}') == (422, "names", "lone_surrogate")
    assert parse_json('{"name": "\\ud83d\\ude00"}') == {"name": "\U0001f600"}


def test_minus_zero_and_big_plain_numbers_are_numbers() -> None:
    assert parse_json('{"a": -0, "b": 1e300, "c": 12345678901234567890}') == {
        "a": 0,
        "b": 1e300,
        "c": 12345678901234567890,
    }


class Body(BaseModel):
    name: str


def app(**state: Any) -> FastAPI:
    api = FastAPI()
    install_problem_handlers(api)
    for key, value in state.items():
        setattr(api.state, key, value)
    router = APIRouter(route_class=StrictJsonRoute)

    @router.post("/things")
    async def create(body: Body) -> dict[str, str]:
        return {"name": body.name}

    api.include_router(router)
    return api


async def post(content: bytes, content_type: str = "application/json", **state: Any) -> Any:
    transport = httpx.ASGITransport(app=app(**state))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post("/things", content=content, headers={"content-type": content_type})


def problem(response: httpx.Response) -> tuple[int, str, str]:
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    return response.status_code, error["field"], error["rule"]


async def test_a_route_reads_its_body_strictly_before_the_model_sees_it() -> None:
    assert (await post(b'{"name": "A"}')).json() == {"name": "A"}
    assert problem(await post(b'{"name": "A", "name": "B"}')) == (422, "name", "duplicate_key")
    deep = b'{"name": "A", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert problem(await post(deep)) == (422, "body", "json_too_deep")
    assert (await post(b'{"name": "A"}', "application/merge-patch+json")).json() == {"name": "A"}


async def test_a_body_over_the_limit_is_413_and_another_media_type_415() -> None:
    big = json.dumps({"name": "x" * 200}).encode()
    assert problem(await post(big, max_json_body_bytes=100)) == (413, "body", "max_bytes")
    assert problem(await post(b'{"name": "A"}', "text/plain")) == (
        415,
        "Content-Type",
        "media_type",
    )


async def test_a_missing_body_is_still_the_models_refusal() -> None:
    assert problem(await post(b"")) == (422, "", "missing")


def test_an_app_with_a_lax_router_is_not_built() -> None:
    lax = APIRouter()

    @lax.post("/things")
    async def create(body: Body) -> None: ...

    spec = ServiceSpec(name="probe", description="", migrations=Path("."))
    settings = ServiceSettings(database_url="postgresql://unused", kafka_bootstrap_servers="-")
    with pytest.raises(TypeError, match="StrictJsonRoute"):
        build_app(spec, settings, routers=[lax])
