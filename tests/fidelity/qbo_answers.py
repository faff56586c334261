"""What QBO answers, checked against ``shared/reference/qbo-api.md``: the entity envelope
(``{"Bill": {…}, "time": …}``), entities (string ``Id`` and ``SyncToken``, ``MetaData``
times, numeric amounts, only fields python-quickbooks' class knows), the data-service ``Fault``
and the gateway's lower-case ``fault``, ``QueryResponse`` paging, ``CDCResponse``,
``BatchItemResponse`` and ``AttachableResponse``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from tests.fidelity.qbo_entities import amount
from tests.fidelity.qbo_reference import ENTITIES, unknown_fields
from tests.fidelity.schemas import JsonPath, Violation

__all__ = [
    "batch_answer",
    "cdc_answer",
    "entity_envelope",
    "fault_answer",
    "gateway_fault",
    "query_answer",
    "upload_answer",
]

_DIGITS = re.compile(r"\d+")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_FAULT_TYPES = ("ValidationFault", "SystemFault", "AuthenticationFault", "AuthorizatonFault")
_ERROR_FIELDS = {"Message", "Detail", "code", "element", "DetailLink"}
_PAGING = {"startPosition", "maxResults", "totalCount"}
_DELETED = {"domain", "status", "Id", "MetaData"}


def _v(path: JsonPath, rule: str, value: Any) -> Violation:
    shown = repr(value)
    return Violation(path, rule, shown if len(shown) <= 80 else shown[:79] + "…")


def _time(value: Any, path: JsonPath) -> Iterator[Violation]:
    ok = isinstance(value, str) and bool(_DATETIME.fullmatch(value))
    if ok:
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            ok = False
    if not ok:
        yield _v(path, "not an ISO date-time with its offset", value)


def _keys(
    body: Mapping[str, Any], allowed: set[str], path: JsonPath, what: str
) -> Iterator[Violation]:
    for key in body:
        if key not in allowed:
            yield _v((*path, key), f"not a field of {what}", body[key])


def _digits(body: Mapping[str, Any], name: str, path: JsonPath) -> Iterator[Violation]:
    value = body.get(name)
    if not (isinstance(value, str) and _DIGITS.fullmatch(value)):
        yield _v((*path, name), f"{name} is a string of digits", value)


def entity(name: str, body: Any, path: JsonPath) -> Iterator[Violation]:
    """One entity as QBO answers it (§2: string Id and SyncToken, MetaData, domain)."""
    if not isinstance(body, dict):
        yield _v(path, f"a {name} is a JSON object", body)
        return
    meta = body.get("MetaData")
    if body.get("status") == "Deleted":  # a deleted object: {domain, status, Id[, MetaData]}
        yield from _keys(body, _DELETED, path, "a deleted object")
        yield from _digits(body, "Id", path)
        if isinstance(meta, dict):
            yield from _time(meta.get("LastUpdatedTime"), (*path, "MetaData", "LastUpdatedTime"))
        return
    yield from unknown_fields(ENTITIES[name], body, path)
    yield from _digits(body, "Id", path)
    yield from _digits(body, "SyncToken", path)
    if body.get("domain") != "QBO":
        yield _v((*path, "domain"), 'domain is "QBO"', body.get("domain"))
    if not isinstance(meta, dict):
        yield _v((*path, "MetaData"), "MetaData {CreateTime, LastUpdatedTime} missing", meta)
    else:
        for stamp in ("CreateTime", "LastUpdatedTime"):
            yield from _time(meta.get(stamp), (*path, "MetaData", stamp))
    for money in ("TotalAmt", "Balance", "HomeBalance"):
        if money in body:
            yield from amount(body[money], (*path, money), needed=True)
    for index, line in enumerate(body.get("Line") or []):
        if isinstance(line, dict) and "Amount" in line:
            yield from amount(line["Amount"], (*path, "Line", index, "Amount"), needed=True)


def entity_envelope(name: str, body: Any) -> Iterator[Violation]:
    """``{"<Entity>": {…}, "time": …}``."""
    if not isinstance(body, dict) or name not in body:
        yield _v((), f'the answer is {{"{name}": …, "time": …}}', body)
        return
    yield from _keys(body, {name, "time"}, (), "an entity answer")
    yield from _time(body.get("time"), ("time",))
    yield from entity(name, body[name], (name,))


def _fault(fault: Any, path: JsonPath) -> Iterator[Violation]:
    if not isinstance(fault, dict):
        yield _v(path, "Fault is {Error: [...], type}", fault)
        return
    yield from _keys(fault, {"Error", "type"}, path, "Fault")
    if fault.get("type") not in _FAULT_TYPES:
        yield _v((*path, "type"), f"not one of {', '.join(_FAULT_TYPES)}", fault.get("type"))
    errors = fault.get("Error")
    if not isinstance(errors, list) or not errors:
        yield _v((*path, "Error"), "Fault.Error lists at least one error", errors)
        return
    for index, error in enumerate(errors):
        where = (*path, "Error", index)
        if not isinstance(error, dict):
            yield _v(where, "an error is an object", error)
            continue
        yield from _keys(error, _ERROR_FIELDS, where, "Fault.Error")
        yield from _digits(error, "code", where)
        if not isinstance(error.get("Message"), str) or not error["Message"]:
            yield _v((*where, "Message"), "Message is a non-empty string", error.get("Message"))
        for text in ("Detail", "element"):
            if text in error and not isinstance(error[text], str):
                yield _v((*where, text), f"{text} is a string", error[text])


def fault_answer(body: Any) -> Iterator[Violation]:
    """A data-service error: ``{"Fault": {"Error": [{Message, Detail, code, element}],
    "type": …}, "time": …}`` (§2)."""
    if not isinstance(body, dict) or "Fault" not in body:
        yield _v((), 'a 400 answer is {"Fault": …, "time": …}', body)
        return
    yield from _keys(body, {"Fault", "time"}, (), "a Fault answer")
    yield from _time(body.get("time"), ("time",))
    yield from _fault(body["Fault"], ("Fault",))


def gateway_fault(body: Any) -> Iterator[Violation]:
    """401/403/429 from Intuit's gateway: ``{…, "fault": {"error": [{message, detail, code,
    element}], "type": …}, "time": <epoch ms>}`` (§2, [GW401])."""
    fault = body.get("fault") if isinstance(body, dict) else None
    if not isinstance(fault, dict):
        yield _v((), "a gateway answer carries the lower-case fault", body)
        return
    if not isinstance(fault.get("type"), str):
        yield _v(("fault", "type"), "fault.type is a string", fault.get("type"))
    errors = fault.get("error")
    if not isinstance(errors, list) or not errors:
        yield _v(("fault", "error"), "fault.error lists at least one error", errors)
        return
    for index, error in enumerate(errors):
        where = ("fault", "error", index)
        yield from _keys(error, {"message", "detail", "code", "element"}, where, "fault.error")
        yield from _digits(error, "code", where)
    if not isinstance(body.get("time"), int):
        yield _v(("time",), "a gateway answer's time is epoch milliseconds", body.get("time"))


def _page(page: Any, path: JsonPath, expected: str | None) -> Iterator[Violation]:
    if not isinstance(page, dict):
        yield _v(path, "QueryResponse is an object", page)
        return
    names = [key for key in page if key not in _PAGING]
    for name in names:
        if name not in ENTITIES:
            yield _v((*path, name), "not an entity the reference knows", "")
        elif expected is not None and name.lower() != expected.lower():
            yield _v((*path, name), f"the query asked for {expected}", name)
        rows = page[name]
        if not isinstance(rows, list):
            yield _v((*path, name), "entities come as a list", rows)
            continue
        for index, row in enumerate(rows if name in ENTITIES else []):
            yield from entity(name, row, (*path, name, index))
        if page.get("maxResults") != len(rows):
            yield _v(
                (*path, "maxResults"), "maxResults is the number returned", page.get("maxResults")
            )
    if names and not (isinstance(page.get("startPosition"), int) and page["startPosition"] >= 1):
        yield _v(
            (*path, "startPosition"), "startPosition is an integer ≥ 1", page.get("startPosition")
        )
    if "totalCount" in page and not isinstance(page["totalCount"], int):
        yield _v((*path, "totalCount"), "totalCount is an integer", page["totalCount"])
    if len(names) > 1:
        yield _v(path, "one entity per QueryResponse", names)


def query_answer(body: Any, expected: str | None) -> Iterator[Violation]:
    """``{"QueryResponse": {"<Entity>": […], "startPosition": 1, "maxResults": n
    [, "totalCount": n]}, "time": …}``; an empty result is ``{}`` (§5)."""
    if not isinstance(body, dict) or "QueryResponse" not in body:
        yield _v((), 'the answer is {"QueryResponse": …, "time": …}', body)
        return
    yield from _keys(body, {"QueryResponse", "time"}, (), "a query answer")
    yield from _time(body.get("time"), ("time",))
    yield from _page(body["QueryResponse"], ("QueryResponse",), expected)


def cdc_answer(body: Any) -> Iterator[Violation]:
    """``{"CDCResponse": [{"QueryResponse": [{"Bill": […], …}, …]}], "time": …}`` (§5)."""
    responses = body.get("CDCResponse") if isinstance(body, dict) else None
    if not isinstance(responses, list):
        yield _v((), 'the answer is {"CDCResponse": [...], "time": …}', body)
        return
    yield from _keys(body, {"CDCResponse", "time"}, (), "a CDC answer")
    yield from _time(body.get("time"), ("time",))
    for index, response in enumerate(responses):
        pages = response.get("QueryResponse") if isinstance(response, dict) else None
        if not isinstance(pages, list):
            yield _v(("CDCResponse", index), "holds a QueryResponse list", response)
            continue
        for number, page in enumerate(pages):
            yield from _page(page, ("CDCResponse", index, "QueryResponse", number), None)


def batch_answer(body: Any, asked: list[str]) -> Iterator[Violation]:
    """``{"BatchItemResponse": [{"bId", "<Entity>" | "Fault" | "QueryResponse"}], "time"}``,
    one item per ``bId`` asked."""
    items = body.get("BatchItemResponse") if isinstance(body, dict) else None
    if not isinstance(items, list):
        yield _v((), 'the answer is {"BatchItemResponse": [...], "time": …}', body)
        return
    yield from _time(body.get("time"), ("time",))
    answered = [item.get("bId") for item in items if isinstance(item, dict)]
    if sorted(map(str, answered)) != sorted(asked):
        yield _v(("BatchItemResponse",), "one answer per bId asked", answered)
    for index, item in enumerate(items):
        where: JsonPath = ("BatchItemResponse", index)
        payload = [key for key in item if key != "bId"]
        if len(payload) != 1:
            yield _v(where, "an item answers one entity, Fault or QueryResponse", payload)
        elif payload[0] == "Fault":
            yield from _fault(item["Fault"], (*where, "Fault"))
        elif payload[0] == "QueryResponse":
            yield from _page(item["QueryResponse"], (*where, "QueryResponse"), None)
        elif payload[0] in ENTITIES:
            yield from entity(payload[0], item[payload[0]], (*where, payload[0]))
        else:
            yield _v((*where, payload[0]), "not an entity, Fault or QueryResponse", "")


def upload_answer(body: Any) -> Iterator[Violation]:
    """``{"AttachableResponse": [{"Attachable": {…}} | {"Fault": …}], "time": …}`` (§4.5)."""
    items = body.get("AttachableResponse") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        yield _v((), 'the answer is {"AttachableResponse": [...], "time": …}', body)
        return
    yield from _time(body.get("time"), ("time",))
    for index, item in enumerate(items):
        where: JsonPath = ("AttachableResponse", index)
        if isinstance(item, dict) and set(item) == {"Attachable"}:
            yield from entity("Attachable", item["Attachable"], (*where, "Attachable"))
        elif isinstance(item, dict) and set(item) == {"Fault"}:
            yield from _fault(item["Fault"], (*where, "Fault"))
        else:
            yield _v(where, "an item is {Attachable} or {Fault}", item)
