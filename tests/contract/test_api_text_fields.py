"""Every text a caller can send to any service (a body field at any depth, a query or path
parameter) carries the shared text rule (countersign_contracts.Text or MultilineText), read from
the apps' routes: a new field or endpoint typed as a bare ``str`` fails here, before a NUL in it
can reach Postgres."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from countersign_approval.app import create_app as create_approval
from countersign_approval.settings import ApprovalSettings
from countersign_contracts import TEXT_RULES
from countersign_ingest.app import create_app as create_ingest
from countersign_ingest.domain.metadata import SIGNED_CALL_BODIES
from countersign_ingest.settings import IngestSettings
from countersign_publisher.api.qbo_webhooks import QBO_WEBHOOK_BODIES
from countersign_publisher.api.webhooks import WEBHOOK_BODIES
from countersign_publisher.app import create_app as create_publisher
from countersign_publisher.settings import PublisherSettings
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

INFRASTRUCTURE = {"database_url": "postgresql://unused", "kafka_bootstrap_servers": "-"}
APPS = {
    "ingest": lambda: create_ingest(IngestSettings(**INFRASTRUCTURE)),
    "approval": lambda: create_approval(ApprovalSettings(**INFRASTRUCTURE)),
    "publisher": lambda: create_publisher(PublisherSettings(**INFRASTRUCTURE)),
}
GUARDED_BY = {"function-after", "function-before", "function-wrap", "function-plain"}


def _is_text_rule(node: Mapping[str, Any]) -> bool:
    return node.get("type") in GUARDED_BY and node["function"]["function"] in TEXT_RULES


def unguarded_strings(schema: Mapping[str, Any]) -> Iterator[str]:
    """Paths (in core-schema terms) to every ``str`` that no text rule checks."""
    definitions: dict[str, Any] = {}

    def collect(node: Any) -> None:
        if isinstance(node, Mapping):
            if node.get("type") == "definitions":
                definitions.update({d["ref"]: d for d in node["definitions"]})
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(schema)
    seen: set[str] = set()

    def walk(node: Any, path: str, guarded: bool) -> Iterator[str]:
        if isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{path}[{i}]", guarded)
            return
        if not isinstance(node, Mapping):
            return
        kind = node.get("type")
        if kind == "str" and not guarded:
            yield path
        if kind == "definition-ref":
            ref = node["schema_ref"]
            if (ref, guarded) not in seen:
                seen.add((ref, guarded))  # type: ignore[arg-type]
                yield from walk(definitions[ref], f"{path}->{ref.split(':')[0]}", guarded)
            return
        if kind == "chain" and any(_is_text_rule(step) for step in node["steps"]):
            guarded = True  # a chain's steps run one after another on the same value
        inner_guarded = guarded or _is_text_rule(node)
        for key, value in node.items():
            if key not in ("metadata", "serialization", "ref"):
                yield from walk(value, f"{path}.{key}", inner_guarded)

    yield from walk(schema, "", False)


def inputs_of(app: FastAPI) -> Iterator[tuple[str, Any]]:
    """(where, core schema) of every parameter and body an app's endpoints read."""
    for context in iter_route_contexts(app.router.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        pending = [route.dependant]
        while pending:
            dependant = pending.pop()
            pending.extend(dependant.dependencies)
            for param in (
                *dependant.path_params,
                *dependant.query_params,
                *dependant.cookie_params,
                *dependant.body_params,
            ):
                where = f"{'/'.join(sorted(route.methods))} {route.path} {param.name}"
                yield where, param._type_adapter.core_schema


@pytest.mark.parametrize("service", APPS)
def test_every_text_an_endpoint_reads_carries_the_text_rule(service: str) -> None:
    found = [
        f"{where}{path}"
        for where, schema in inputs_of(APPS[service]())
        for path in unguarded_strings(schema)
    ]

    assert found == []


@pytest.mark.parametrize(
    "model", SIGNED_CALL_BODIES + WEBHOOK_BODIES + QBO_WEBHOOK_BODIES, ids=lambda m: m.__name__
)
def test_every_text_of_a_signed_body_carries_the_text_rule(model: type[BaseModel]) -> None:
    """Ingest reads a publication's metadata part itself (after its signature), and the
    publisher a Xero webhook delivery, so their models are not on the routes."""
    assert list(unguarded_strings(model.__pydantic_core_schema__)) == []


def test_the_check_finds_a_bare_string() -> None:
    class Careless(BaseModel):
        name: str

    assert list(unguarded_strings(Careless.__pydantic_core_schema__)) != []
