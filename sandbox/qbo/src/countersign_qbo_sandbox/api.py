"""Dispatches an admitted Accounting call by its path segment: entities (create, read, update,
delete), ``query``, ``upload``, ``download`` and ``batch``."""

from __future__ import annotations

from typing import Any

from starlette.responses import PlainTextResponse, Response

from countersign_qbo_sandbox import attachments, crud, errors
from countersign_qbo_sandbox.cdc import changed_since
from countersign_qbo_sandbox.query import parse
from countersign_qbo_sandbox.querying import run
from countersign_qbo_sandbox.sandbox import Call
from countersign_qbo_sandbox.wire import Fault, loads, qbo_json

__all__ = ["handle"]

MAX_BATCH_REQUEST_ID = 36
MAX_BATCH_ID = 10


def _json(call: Call) -> Any:
    try:
        return loads(call.body)
    except ValueError as exc:
        raise Fault(
            "2020",
            "Request has invalid or unsupported property",
            f"The request body is not valid JSON: {exc}",
            "",
        ) from exc


def _query_text(call: Call) -> str:
    if call.method == "GET":
        text = call.query.get("query")
    else:
        text = call.body.decode("utf-8", errors="replace")
    if not text:
        raise Fault("4000", "Error parsing query", "QueryParserError: Encountered end of query", "")
    return text


def _download(call: Call) -> Response:
    realm = call.realm
    if call.entity_id is None or realm.get("Attachable", call.entity_id) is None:
        raise errors.not_found()
    expires = int(call.sandbox.clock.seconds()) + attachments.DOWNLOAD_TTL_S
    token = attachments.file_token(
        call.sandbox.file_secret, realm.realm_id, call.entity_id, expires
    )
    base = call.sandbox.settings.base_url
    url = f"{base}/_files/{realm.realm_id}/{call.entity_id}?expires={expires}&signature={token}"
    return PlainTextResponse(url)


def _batch(call: Call) -> Response:
    body = _json(call)
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise errors.required("BatchItemRequest")
    if len(items) > call.sandbox.limiter.config.batch_items:
        raise Fault(
            "1040",
            "An application error has occurred",
            f"Number of items in the batch exceeds {call.sandbox.limiter.config.batch_items}",
            "BatchItemRequest",
        )
    _batch_ids(call, items)
    answers = []
    for item in items:
        bid = str(item.get("bId", ""))
        try:
            answers.append({"bId": bid, **_batch_item(call, item)})
        except Fault as fault:
            answers.append({"bId": bid, **fault.body()})
    return qbo_json({"BatchItemResponse": answers}, call.now)


def _batch_ids(call: Call, items: list[Any]) -> None:
    """In a batch, ``requestid`` is at most 36 characters and each ``bId`` at most 10."""
    request_id = call.query.get("requestid")
    if request_id is not None and len(request_id) > MAX_BATCH_REQUEST_ID:
        raise Fault(
            "2170",
            "Invalid Enumeration",
            f"Invalid Enumeration : requestid of a batch must be 1 to {MAX_BATCH_REQUEST_ID} "
            "characters",
            "requestid",
        )
    for item in items:
        bid = str(item.get("bId", "")) if isinstance(item, dict) else ""
        if len(bid) > MAX_BATCH_ID:
            raise errors.too_long("bId", MAX_BATCH_ID, len(bid))


def _batch_item(call: Call, item: dict[str, Any]) -> dict[str, Any]:
    if "Query" in item:
        return {"QueryResponse": run(call.realm, parse(str(item["Query"])))}
    operation = item.get("operation")
    entity = next((k for k in item if k not in ("bId", "operation", "optionsData")), None)
    if entity is None:
        raise errors.required("entity")
    op = "delete" if operation == "delete" else None
    return crud.write(call.realm, entity, item[entity], op, call.now)


async def handle(call: Call) -> Response:
    segment = call.entity
    if segment == "query":
        return qbo_json({"QueryResponse": run(call.realm, parse(_query_text(call)))}, call.now)
    if segment == "cdc" and call.method == "GET":
        found = changed_since(
            call.realm, call.query.get("entities"), call.query.get("changedSince"), call.now
        )
        return qbo_json({"CDCResponse": found}, call.now)
    if segment == "upload" and call.method == "POST":
        answers = attachments.upload(
            call.realm,
            call.body,
            call.headers.get("content-type", ""),
            call.sandbox.settings.base_url,
            call.now,
        )
        return qbo_json({"AttachableResponse": answers}, call.now)
    if segment == "download" and call.method == "GET":
        return _download(call)
    if segment == "batch" and call.method == "POST":
        return _batch(call)
    if call.method == "GET":
        return qbo_json(crud.read(call.realm, segment, call.entity_id), call.now)
    if call.method == "POST" and call.entity_id is None:
        payload = crud.write(
            call.realm, segment, _json(call), call.query.get("operation"), call.now
        )
        return qbo_json(payload, call.now)
    raise errors.unsupported(f"{call.method} on {segment}")
