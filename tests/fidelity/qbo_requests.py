"""What a client sends QBO's Accounting API, checked against ``shared/reference/qbo-api.md``:
the headers (``Authorization: Bearer``, ``Accept`` JSON, the content type), the query
parameters (``minorversion`` always, ``requestid`` ≤ 50 — ≤ 36 on a batch), query statements
(§5's grammar), batches (≤ 30 items, ``bId`` ≤ 10 and unique, ``operation``), uploads (parts
``file_metadata_NN`` / ``file_content_NN``) and entity bodies (``qbo_entities``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from tests.fidelity.qbo_entities import attachable, entity_request
from tests.fidelity.qbo_reference import ENTITIES, unknown_fields
from tests.fidelity.recordings import Exchange
from tests.fidelity.schemas import JsonPath, Violation

__all__ = ["QboCall", "query_statement", "request_violations"]

_WHOLE: JsonPath = ()
_VALUE = r"(?:'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|true|false)"
_CONDITION = (
    rf"[A-Za-z][\w.]*\s*(?:(?:<=|>=|=|<|>)\s*{_VALUE}|\s+LIKE\s+'(?:[^'\\]|\\.)*'"
    rf"|\s+IN\s*\(\s*{_VALUE}(?:\s*,\s*{_VALUE})*\s*\))"
)
_STATEMENT = re.compile(
    rf"\s*SELECT\s+(?:\*|COUNT\(\*\))\s+FROM\s+(?P<entity>\w+)"
    rf"(?:\s+WHERE\s+{_CONDITION}(?:\s+AND\s+{_CONDITION})*)?"
    r"(?:\s+ORDERBY\s+[A-Za-z][\w.]*(?:\s+(?:ASC|DESC))?)?"
    r"(?:\s+STARTPOSITION\s+(?P<start>\d+))?(?:\s+MAXRESULTS\s+(?P<max>\d+))?\s*",
    re.IGNORECASE,
)
_PART = re.compile(r"file_(?P<kind>metadata|content)_(?P<suffix>\d{2})")
_BID_LIMIT = 10
_BATCH_LIMIT = 30
_OPERATIONS = ("create", "update", "delete")
# The query parameters each kind of call takes, besides minorversion and requestid (§2, §5).
_PARAMETERS = {
    "entity": {"operation", "include"},
    "query": {"query"},
    "cdc": {"entities", "changedSince"},
}


@dataclass(frozen=True)
class QboCall:
    """A call on ``/v3/company/{realmId}/…``: its kind (entity, query, batch, upload, cdc,
    download, or None when the net does not know it) and entity."""

    kind: str | None
    entity: str | None = None
    has_id: bool = False


def query_statement(text: Any) -> Iterator[Violation]:
    """A statement in §5's grammar: SELECT * | count(*) FROM entity [WHERE c AND …] [ORDERBY f
    [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS n] (no OR, no projections, no JOIN)."""
    where = ("?query",)
    found = _STATEMENT.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        yield Violation(where, "not a statement of the documented query grammar", repr(text)[:120])
        return
    if found["entity"] not in ENTITIES and found["entity"].capitalize() not in ENTITIES:
        yield Violation(where, "FROM names no entity the reference knows", found["entity"])
    if found["start"] is not None and int(found["start"]) < 1:
        yield Violation(where, "STARTPOSITION is 1-based", found["start"])
    if found["max"] is not None and not 1 <= int(found["max"]) <= 1000:
        yield Violation(where, "MAXRESULTS is 1 to 1000", found["max"])


def _headers(exchange: Exchange, call: QboCall) -> Iterator[Violation]:
    headers = exchange.request_headers
    if not headers.get("authorization", "").startswith("Bearer "):
        shown = headers.get("authorization", "absent").split(" ")[0]
        yield Violation(("header Authorization",), "not a Bearer token", shown)
    if call.kind != "download" and "application/json" not in headers.get("accept", ""):
        yield Violation(
            ("header Accept",), "does not ask for JSON", headers.get("accept", "absent")
        )
    if exchange.method != "POST":
        return
    expected = {"query": "application/text", "upload": "multipart/form-data"}.get(
        str(call.kind), "application/json"
    )
    if not headers.get("content-type", "").startswith(expected):
        yield Violation(
            ("header Content-Type",), f"not {expected}", headers.get("content-type", "absent")
        )


def _parameters(exchange: Exchange, call: QboCall) -> Iterator[Violation]:
    params = dict(parse_qsl(exchange.query, keep_blank_values=True))
    version = params.get("minorversion")
    if version is None:
        yield Violation(("?minorversion",), "minorversion missing", "absent")
    elif not version.isdigit():
        yield Violation(("?minorversion",), "minorversion is a number", repr(version))
    limit = 36 if call.kind == "batch" else 50
    if "requestid" in params and not 1 <= len(params["requestid"]) <= limit:
        count = f"{len(params['requestid'])} characters"
        yield Violation(("?requestid",), f"requestid is 1 to {limit} characters", count)
    allowed = {"minorversion", "requestid", *_PARAMETERS.get(str(call.kind), ())}
    for name, value in params.items():
        if name not in allowed:
            yield Violation((f"?{name}",), "query parameter not documented here", repr(value))
    if call.kind == "entity":
        if params.get("operation") not in (None, "delete", "update"):
            yield Violation(("?operation",), "not delete or update", repr(params["operation"]))
        if params.get("include") not in (None, "void", "allowduplicatedocnum"):
            yield Violation(("?include",), "not void or allowduplicatedocnum", params["include"])


def _batch(body: Any) -> Iterator[Violation]:
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        yield Violation(("BatchItemRequest",), "a batch lists its items", repr(items)[:80])
        return
    if len(items) > _BATCH_LIMIT:
        yield Violation(("BatchItemRequest",), "more than 30 items", f"{len(items)} items")
    extra = sorted(set(body) - {"BatchItemRequest"})
    for name in extra:
        yield Violation((name,), "not a field of a batch request", repr(body[name])[:80])
    seen: set[str] = set()
    for index, item in enumerate(items):
        where: JsonPath = ("BatchItemRequest", index)
        yield from _batch_item(item, where, seen)


def _batch_item(item: Any, where: JsonPath, seen: set[str]) -> Iterator[Violation]:
    if not isinstance(item, dict):
        yield Violation(where, "a batch item is an object", repr(item)[:80])
        return
    bid = item.get("bId")
    if not isinstance(bid, str) or not 1 <= len(bid) <= _BID_LIMIT:
        yield Violation((*where, "bId"), "bId is a string of 1 to 10 characters", repr(bid))
    elif bid in seen:
        yield Violation((*where, "bId"), "bId repeated in the batch", bid)
    else:
        seen.add(bid)
    payload = [key for key in item if key not in ("bId", "operation")]
    if payload == ["Query"]:  # a query item (Intuit's batch page; no operation)
        yield from (
            Violation((*where, "Query"), v.rule, v.detail) for v in query_statement(item["Query"])
        )
        return
    if len(payload) != 1 or payload[0] not in ENTITIES:
        shown = ", ".join(payload) or "nothing"
        yield Violation(where, "an item carries exactly one entity or Query", shown)
        return
    operation = item.get("operation")
    if operation not in _OPERATIONS:
        yield Violation((*where, "operation"), "not create, update or delete", repr(operation))
        operation = "create"
    yield from entity_request(payload[0], item[payload[0]], operation, (*where, payload[0]))


def _upload(body: Any) -> Iterator[Violation]:
    parts = body.get("parts") if isinstance(body, dict) else None
    if not isinstance(parts, list) or not parts:
        yield Violation(_WHOLE, "an upload is multipart with named parts", repr(body)[:80])
        return
    contents, metadata = set(), {}
    for index, part in enumerate(parts):
        found = _PART.fullmatch(str(part.get("name")))
        if found is None:
            yield Violation(
                ("parts", index, "name"),
                "not file_metadata_NN or file_content_NN",
                repr(part.get("name")),
            )
        elif found["kind"] == "content":
            contents.add(found["suffix"])
        else:
            metadata[found["suffix"]] = (index, part)
    for suffix, (index, part) in sorted(metadata.items()):
        where: JsonPath = ("parts", index, "body")
        if suffix not in contents:
            yield Violation(where, "file_metadata without its file_content", f"_{suffix}")
        if "json" not in str(part.get("content_type")):
            yield Violation(
                where, "metadata part is not application/json", part.get("content_type")
            )
            continue
        yield from unknown_fields(ENTITIES["Attachable"], part.get("body"), where)
        yield from attachable(part.get("body") or {}, where)


GATEWAY_REFUSALS = (401, 403, 429)
"""Answered before the body is read: the recording has no body to judge."""


def request_violations(exchange: Exchange, call: QboCall) -> Iterator[Violation]:
    """Every way the request breaks what Intuit documents for ``call``."""
    yield from _headers(exchange, call)
    yield from _parameters(exchange, call)
    body = exchange.request_body
    if body is None and exchange.status in GATEWAY_REFUSALS:
        return  # refused at the gateway (token, realm, throttle) before its body was read
    if call.kind == "query":
        text = body if exchange.method == "POST" else dict(parse_qsl(exchange.query)).get("query")
        yield from query_statement(text)
    elif call.kind == "batch":
        yield from _batch(body)
    elif call.kind == "upload":
        yield from _upload(body)
    elif call.kind == "entity" and exchange.method == "POST" and call.entity is not None:
        operation = dict(parse_qsl(exchange.query)).get("operation", "create")
        yield from entity_request(call.entity, body, operation)
