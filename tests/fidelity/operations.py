"""The spec's Accounting operations, found from a recorded method and path.

Templates overlap (``/Contacts/{ContactID}`` and ``/Contacts/{ContactNumber}``,
``…/Attachments/{AttachmentID}`` and ``…/Attachments/{FileName}``): the match with the most
literal segments wins, then the one whose ``uuid`` parameters hold UUIDs (a file name goes to
``{FileName}``, an id to ``{AttachmentID}``), then the spec's order. A ``uuid`` parameter still
takes a non-UUID when nothing else does: Xero reads ``GET /Invoices/{InvoiceNumber}`` there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ACCOUNTING_PREFIX", "Operation", "OperationIndex", "QueryParameter"]

ACCOUNTING_PREFIX = "/api.xro/2.0"
_METHODS = ("get", "put", "post", "delete", "patch")
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class QueryParameter:
    name: str
    schema: Mapping[str, Any]
    comma_separated: bool  # style form, explode false: IDs=a,b,c


@dataclass(frozen=True)
class Operation:
    method: str  # "PUT"
    template: str  # "/Invoices"
    operation_id: str
    # status ("200") -> {media type: schema name or None when the schema is inline/absent}
    responses: Mapping[str, Mapping[str, str | None]]
    request_schema: str | None  # the JSON request body's component schema
    query: Mapping[str, QueryParameter] = field(default_factory=dict)
    path_formats: tuple[str | None, ...] = ()  # per segment: a parameter's format, if any

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


def _resolve(spec: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema_name(media: Mapping[str, Any] | None) -> str | None:
    ref = ((media or {}).get("schema") or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None


def _operation(spec: Mapping[str, Any], template: str, method: str) -> Operation:
    item = spec["paths"][template]
    op = item[method]
    parameters = [
        _resolve(spec, p) for p in [*item.get("parameters", []), *op.get("parameters", [])]
    ]
    responses = {}
    for status, answer in op.get("responses", {}).items():
        content = _resolve(spec, answer).get("content") or {}
        responses[str(status)] = {media: _schema_name(body) for media, body in content.items()}
    request = _resolve(spec, op["requestBody"]) if "requestBody" in op else {}
    path_params = {p["name"]: p.get("schema", {}) for p in parameters if p.get("in") == "path"}
    formats = tuple(
        path_params.get(segment[1:-1], {}).get("format") if segment.startswith("{") else None
        for segment in template.strip("/").split("/")
    )
    return Operation(
        method=method.upper(),
        template=template,
        operation_id=op["operationId"],
        responses=responses,
        request_schema=_schema_name((request.get("content") or {}).get("application/json")),
        query={
            p["name"]: QueryParameter(
                p["name"],
                p.get("schema", {}),
                p.get("schema", {}).get("type") == "array" and p.get("explode") is False,
            )
            for p in parameters
            if p.get("in") == "query"
        },
        path_formats=formats,
    )


class OperationIndex:
    def __init__(self, spec: Mapping[str, Any]) -> None:
        self._operations = [
            _operation(spec, template, method)
            for template, item in spec["paths"].items()
            for method in _METHODS
            if method in item
        ]

    def find(self, method: str, path: str) -> Operation | None:
        """The operation serving ``path`` (with or without the Accounting prefix)."""
        segments = path.removeprefix(ACCOUNTING_PREFIX).strip("/").split("/")
        best: tuple[int, int, int] | None = None
        found = None
        for op in self._operations:
            if op.method != method.upper():
                continue
            score = _score(op, segments)
            if score is not None and (best is None or score > best):
                best, found = score, op
        return found


def _score(op: Operation, segments: list[str]) -> tuple[int, int, int] | None:
    template = op.template.strip("/").split("/")
    if len(template) != len(segments):
        return None
    literal = constrained = mismatched = 0
    for pattern, segment, fmt in zip(template, segments, op.path_formats, strict=True):
        if not pattern.startswith("{"):
            if pattern != segment:
                return None
            literal += 1
        elif not segment:
            return None
        elif fmt == "uuid" and _UUID.fullmatch(segment):
            constrained += 1
        elif fmt == "uuid":
            mismatched += 1
    return literal, constrained, -mismatched
