"""A request body arrives in bounded time or is answered 408; a client that leaves is news at
INFO, never an error (no IO: the app is driven through ASGI directly)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest
from countersign_platform.body_deadline import BodyDeadline
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.problems import install_problem_handlers
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel
from starlette.types import Message


class Body(BaseModel):
    name: str


def app(timeout_s: float) -> BodyDeadline:
    api = FastAPI()
    install_problem_handlers(api)
    router = APIRouter(route_class=StrictJsonRoute)

    @router.post("/things")
    async def create(body: Body) -> dict[str, str]:
        return {"name": body.name}

    @router.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    api.include_router(router)
    return BodyDeadline(api, timeout_s)


async def call(
    path: str, chunks: list[bytes], then: str = "hang", timeout_s: float = 0.3
) -> tuple[list[Message], float]:
    """Sends ``chunks`` (more to come after each), then hangs or disconnects."""
    pending = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then == "disconnect":
            return {"type": "http.disconnect"}
        if then == "finish":
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        raise AssertionError("never")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("test", 80),
        "client": ("test", 1),
        "root_path": "",
    }
    started = time.monotonic()
    await app(timeout_s)(scope, receive, send)
    return sent, time.monotonic() - started


def answer(sent: list[Message]) -> tuple[int, dict[str, str], Any]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, json.loads(body)


@pytest.mark.parametrize("path", ["/things", "/raw"])
async def test_a_body_that_stops_coming_is_answered_408_in_time(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    sent, took = await call(path, [b'{"name": '])

    status, headers, problem = answer(sent)
    assert status == 408 and took < 2
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    assert problem["errors"] == [
        {"field": "body", "rule": "body_timeout", "message": problem["detail"]}
    ]
    assert [m["type"] for m in sent].count("http.response.start") == 1  # the app's is dropped
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("408" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_body_in_time_is_read_as_ever() -> None:
    sent, _ = await call("/things", [b'{"name": ', b'"A"}'], then="finish")

    assert answer(sent)[0] == 200 and answer(sent)[2] == {"name": "A"}


async def test_a_client_that_leaves_is_logged_at_info_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    await call("/raw", [b"{"], then="disconnect")

    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in caplog.records if r.exc_info]
    assert any("went away" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO)
