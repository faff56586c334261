"""Every Dext-facing route (everything under /v1/organisations/{organisation_id}/ but the
people's routes — the admins' dext-credentials and an original for the web app — which take an
access token) is behind the signature gate, read
from the app's routes: a route added without either fails here, and an unsigned call to any of
them is refused before its endpoint runs (no IO: the database is a fake that knows no
secret)."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from countersign_ingest.api.signed import SignedCalls, signed_call
from countersign_ingest.app import create_app
from countersign_ingest.settings import IngestSettings
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.runtime import Runtime
from countersign_platform.sealing import Keyring
from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

DEXT_FACING = "/v1/organisations/{organisation_id}/"
KNOWN = {
    "POST /v1/organisations/{organisation_id}/cost-items",
    "POST /v1/organisations/{organisation_id}/bank-transactions",
    "POST /v1/organisations/{organisation_id}/cost-items/{dext_item_id}/withdrawal",
    "GET /v1/organisations/{organisation_id}/items/{dext_item_id}",
    "GET /v1/organisations/{organisation_id}/suppliers",
}
ADMINS = {
    "POST /v1/organisations/{organisation_id}/dext-credentials",
    "GET /v1/organisations/{organisation_id}/dext-credentials",
    "DELETE /v1/organisations/{organisation_id}/dext-credentials/previous",
    "DELETE /v1/organisations/{organisation_id}/dext-credentials/current",
    "GET /v1/organisations/{organisation_id}/documents/{document_id}",
}
# What guards a route with an access token (countersign_platform.access_http).
ACCESS_GATES = {"organisation_member.<locals>.member", "_admin_or_operator"}
PATH_VALUES = {
    "organisation_id": str(uuid.uuid4()),
    "dext_item_id": "item-1",
    "document_id": str(uuid.uuid4()),
}
KEYS = "k1:" + base64.b64encode(b"k" * 32).decode()


def _app() -> FastAPI:
    return create_app(
        IngestSettings(
            database_url="postgresql://unused", kafka_bootstrap_servers="-", encryption_keys=KEYS
        )
    )


def organisation_routes(app: FastAPI) -> Iterator[tuple[str, str, Dependant]]:
    """(method, path, dependant) of every route under the organisation's prefix."""
    for context in iter_route_contexts(app.router.routes):
        path = context.path_format or ""
        if not path.startswith(DEXT_FACING):
            continue
        for method in sorted(context.methods or ()):
            if method != "HEAD":
                yield method, path, context.dependant


def dext_routes(app: FastAPI) -> Iterator[tuple[str, str, Dependant]]:
    """Those of ``organisation_routes`` that are not the admins' (access-token) routes."""
    for method, path, dependant in organisation_routes(app):
        if f"{method} {path}" not in ADMINS:
            yield method, path, dependant


def _gates(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, SignedCalls):
            yield sub.call
        yield from _gates(sub)


def _access_gates(dependant: Dependant) -> Iterator[str]:
    for sub in dependant.dependencies:
        name = getattr(sub.call, "__qualname__", "")
        if name in ACCESS_GATES:
            yield name
        yield from _access_gates(sub)


def test_every_dext_facing_route_is_behind_the_signature_gate() -> None:
    app = _app()
    routes = {f"{method} {path}": dependant for method, path, dependant in dext_routes(app)}

    ungated = [route for route, dependant in routes.items() if not list(_gates(dependant))]

    assert set(routes) >= KNOWN
    assert ungated == []


def test_the_admins_routes_are_behind_an_access_token_and_only_they_skip_the_signature() -> None:
    app = _app()
    routes = {f"{m} {p}": dependant for m, p, dependant in organisation_routes(app)}
    admins = {route: dependant for route, dependant in routes.items() if route in ADMINS}

    ungated = [route for route, dependant in admins.items() if not list(_access_gates(dependant))]
    signed = [route for route, dependant in admins.items() if list(_gates(dependant))]

    assert set(admins) == ADMINS
    assert (ungated, signed) == ([], [])


def test_the_openapi_document_names_the_signature_headers_on_every_dext_call() -> None:
    app = _app()
    paths = app.openapi()["paths"]
    undocumented = []
    for method, path, _ in dext_routes(app):
        parameters = paths[path][method.lower()].get("parameters", [])
        headers = {p["name"] for p in parameters if p["in"] == "header"}
        if headers != {"x-dext-timestamp", "x-dext-signature"}:
            undocumented.append(f"{method} {path}: {sorted(headers)}")
    assert undocumented == []


class _NoSecrets:
    """A connection of an organisation that registered no secret; any other query fails."""

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        assert "FROM dext_secrets" in query, query
        return []


class _Pool:
    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[_NoSecrets]:
        yield _NoSecrets()


def _runtime(app: FastAPI) -> Runtime[Keyring]:
    return Runtime(
        settings=IngestSettings(database_url="postgresql://unused", kafka_bootstrap_servers="-"),
        pool=_Pool(),  # type: ignore[arg-type]
        kafka_admin=None,  # type: ignore[arg-type]
        relay=None,  # type: ignore[arg-type]
        schema="ingest",
        connect=None,  # type: ignore[arg-type]
        parts=Keyring.parse(KEYS),
    )


@pytest.mark.parametrize("signature", [None, "v1=" + "0" * 64], ids=["unsigned", "wrong"])
async def test_a_call_not_signed_with_the_organisations_secret_never_reaches_an_endpoint(
    signature: str | None,
) -> None:
    app = _app()
    app.state.runtime = _runtime(app)
    headers = {} if signature is None else {"X-Dext-Timestamp": "1", "X-Dext-Signature": signature}
    answers = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ingest.test"
    ) as http:
        for method, path, _ in dext_routes(app):
            url = re.sub(r"{(\w+)}", lambda m: PATH_VALUES[m.group(1)], path)
            response = await http.request(method, url, headers=headers)
            answers[f"{method} {path}"] = (
                response.status_code,
                response.headers["content-type"],
                response.json()["title"],
            )

    assert set(answers) >= KNOWN
    assert set(answers.values()) == {(401, "application/problem+json", "Signature not accepted")}


async def test_an_unsigned_call_is_refused_before_anything_it_sent_is_read() -> None:
    app = _app()
    app.state.runtime = _runtime(app)
    organisation = PATH_VALUES["organisation_id"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ingest.test"
    ) as http:
        bad_item = await http.get(f"/v1/organisations/{organisation}/items/%20not-an-id")
        bad_query = await http.get(f"/v1/organisations/{organisation}/suppliers?limit=0")

    assert (bad_item.status_code, bad_query.status_code) == (401, 401)


async def test_asking_for_a_signed_call_outside_a_gated_router_fails_instead_of_letting_in() -> (
    None
):
    router = APIRouter(route_class=StrictJsonRoute)

    @router.get("/open")
    async def open_door(request: Request) -> str:
        return str(signed_call(request).organisation_id)

    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest.test") as http:
        with pytest.raises(RuntimeError, match="not behind SignedCalls"):
            await http.get("/open")


def test_a_route_of_a_dext_router_cannot_be_added_without_the_gate() -> None:
    gate = SignedCalls(0)
    router = gate.router()

    @router.get("/anything")
    async def anything() -> None:
        return None

    [route] = [r for r in router.routes if isinstance(r, APIRoute)]
    assert gate in list(_gates(route.dependant))
