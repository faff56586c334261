"""JSON a client sends, read the same strict way by every service.

    raw bytes ─▶ UTF-8? ─▶ json.loads, each object's keys checked as it is built ─▶ depth ─▶ value
                 │          │ NaN, Infinity, a number out of range   ─▶ json_invalid
                 │          └ a key twice in one object               ─▶ duplicate_key (its path)
                 └ not UTF-8                                          ─▶ json_invalid
      nested deeper than MAX_DEPTH                                    ─▶ json_too_deep
      a \\uD800-\\uDFFF escape without its pair (not a character)     ─▶ lone_surrogate (its path)

Python's json (and so FastAPI) keeps the *last* of duplicate keys: an approver could be shown
one supplier while Xero gets another. Each rule is a 422 problem naming the field (or the JSON
path of the key) and the rule. ``StrictJsonRoute`` applies it to every JSON body FastAPI would
parse, bounded in size (413 ``max_bytes``), and answers a body sent as another media type
with 415; ingest parses its signed bodies with ``parse_json`` itself.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi import params
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from countersign_platform.problems import FieldError, Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_JSON_BODY_BYTES",
    "StrictJsonRoute",
    "json_path",
    "parse_json",
    "read_bounded",
]

MAX_DEPTH = 64  # a workflow document, the deepest body here, is 9 levels deep
MAX_JSON_BODY_BYTES = 1_000_000  # 1 MB; an app may set app.state.max_json_body_bytes
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _DuplicateKey(ValueError):
    pass


class _NotANumber(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Called by the C decoder for every object: one dict, one length check.
    built = dict(pairs)
    if len(built) != len(pairs):
        raise _DuplicateKey
    return built


def _constant(name: str) -> Any:
    raise _NotANumber(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumber(f"{text} is out of range")
    return value


def json_path(prefix: str, parts: list[str | int]) -> str:
    """``metadata.lines[0].tracking`` from a prefix and keys and indexes."""
    path = prefix
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _invalid(field: str, rule: str, message: str, status: int = 422) -> Problem:
    return Problem(
        status, "validation", "Request is not valid", message, [FieldError(field, rule, message)]
    )


def _first(value: Any, found: Callable[[Any], bool]) -> list[str | int] | None:
    """The path to the first container (or string) ``found`` accepts, depth first."""
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        node, path = stack.pop()
        if found(node):
            return path
        if isinstance(node, dict):
            stack.extend((child, [*path, key]) for key, child in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((child, [*path, i]) for i, child in reversed(list(enumerate(node))))
    return None


def _repeated_key(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    raise AssertionError("no key repeats")


def _duplicate_path(text: str) -> tuple[list[str | int], str]:
    """Where the first duplicate key is: the text parsed again, noting each object's repeat."""
    repeated: dict[int, str] = {}  # id of a built object -> its first repeated key

    def noting(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        built = dict(pairs)
        if len(built) != len(pairs):
            repeated[id(built)] = _repeated_key(pairs)
        return built

    value = json.loads(text, object_pairs_hook=noting)
    path = _first(value, lambda node: isinstance(node, dict) and id(node) in repeated)
    assert path is not None
    node = value
    for part in path:
        node = node[part]
    return [*path, repeated[id(node)]], repeated[id(node)]


def _nested_deeper(node: Any, levels: int) -> bool:
    """Whether ``node`` holds containers more than ``levels`` deep (recursion is bounded by
    ``levels``; exact types are checked, twice as fast as ``isinstance`` here)."""
    if levels == 0:
        return True
    for child in node.values() if type(node) is dict else node:
        kind = type(child)
        if (kind is dict or kind is list) and _nested_deeper(child, levels - 1):
            return True
    return False


def _has_lone_surrogate(node: Any) -> bool:
    if isinstance(node, str):
        return _SURROGATE.search(node) is not None
    return isinstance(node, dict) and any(_SURROGATE.search(key) for key in node)


def parse_json(raw: str | bytes, field: str = "body", prefix: str = "") -> Any:
    """The JSON value of ``raw``, or a 422 problem. ``field`` names the document in whole-body
    refusals; ``prefix`` starts the path of a field inside it."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise _invalid(field, "json_invalid", f"{field} is not UTF-8") from exc
    try:
        value = json.loads(
            text, object_pairs_hook=_unique_keys, parse_constant=_constant, parse_float=_finite
        )
    except _DuplicateKey:
        path, key = _duplicate_path(text)
        raise _invalid(
            json_path(prefix, path), "duplicate_key", f"the key {key!r} appears twice"
        ) from None
    except _NotANumber as exc:
        raise _invalid(field, "json_invalid", f"{field} is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        # Thousands of nested brackets exhaust the decoder's stack before MAX_DEPTH is seen.
        raise _invalid(field, "json_too_deep", _deep_message(field)) from exc
    except json.JSONDecodeError as exc:
        raise _invalid(field, "json_invalid", f"{field} is not valid JSON: {exc}") from exc
    except ValueError as exc:  # an integer past Python's 4,300 digits
        raise _invalid(field, "json_invalid", f"{field} is not valid JSON: {exc}") from exc
    # Fewer brackets than MAX_DEPTH cannot nest deeper: most bodies skip the walk.
    brackets = text.count("[") + text.count("{")
    if brackets > MAX_DEPTH and type(value) in (dict, list) and _nested_deeper(value, MAX_DEPTH):
        raise _invalid(field, "json_too_deep", _deep_message(field))
    if _SURROGATE_ESCAPE.search(text):
        lone = _first(value, _has_lone_surrogate)
        if lone is not None:
            raise _invalid(
                json_path(prefix, lone),
                "lone_surrogate",
                "a \\uD800-\\uDFFF escape without its pair is not a character",
            )
    return value


def _deep_message(field: str) -> str:
    return f"{field} is nested more than {MAX_DEPTH} levels deep"


async def read_bounded(request: Request, limit: int, field: str = "body") -> bytes:
    """The request body, or a 413 problem as soon as it is known to pass ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(field, limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(field, limit)
    return bytes(body)


def _too_large(field: str, limit: int) -> Problem:
    return _invalid(field, "max_bytes", f"the {field} is larger than {limit:,} bytes", 413)


def _is_json(content_type: str) -> bool:
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class _ParsedJson(Request):
    """The request with its body already read and parsed: FastAPI takes the value as is."""

    def __init__(self, request: Request, body: bytes, value: Any) -> None:
        super().__init__(request.scope, request.receive)
        self._strict_body, self._strict_value = body, value

    async def body(self) -> bytes:
        return self._strict_body

    async def json(self) -> Any:
        return self._strict_value


class StrictJsonRoute(APIRoute):
    """An endpoint whose JSON body is read with ``parse_json`` (and at most
    ``app.state.max_json_body_bytes``) before FastAPI validates it against the model. Every
    route of a Countersign app is one (``build_app`` checks)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None or isinstance(self.body_field.field_info, params.Form):
            return handler

        async def strict(request: Request) -> Response:
            limit = getattr(request.app.state, "max_json_body_bytes", MAX_JSON_BODY_BYTES)
            body = await read_bounded(request, limit)
            if not body:
                return await handler(_ParsedJson(request, body, None))
            if not _is_json(request.headers.get("content-type", "")):
                raise Problem(
                    415,
                    "unsupported-media-type",
                    "Send application/json",
                    "this call's body is JSON",
                    [FieldError("Content-Type", "media_type", "the body must be application/json")],
                )
            return await handler(_ParsedJson(request, body, parse_json(body)))

        return strict
