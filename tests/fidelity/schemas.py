"""Xero's OpenAPI 3.0 component schemas as JSON Schema, and validation that names what broke.

OpenAPI 3.0's schema dialect is draft 4 with a few twists, translated here once per process:

- ``$ref`` points into ``#/components/schemas`` and, as OpenAPI 3.0 says, replaces its
  siblings (the spec writes ``{"$ref": ".../CurrencyCode", "type": "string"}``);
- ``nullable: true`` adds ``null`` to the type (and to an ``enum``); without it ``null`` is
  refused, as Xero's SDKs refuse it;
- ``x-`` extensions are dropped, except ``x-is-msdate`` / ``x-is-msdate-time``, which become the
  ``msDate`` keyword: in an answer the string must be MS-JSON (``/Date(1552262400000+0000)/``);
  in a request Xero also reads ``YYYY-MM-DD`` and ISO datetimes, as its docs say;
- an object may hold only the properties its schema declares, plus ``allowlist`` entries:
  anything else is drift (the sandbox must not invent fields);
- ``format: uuid`` is checked; the other formats (``double``, ``int32``, ``binary``…) say
  nothing JSON can break.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from jsonschema import Draft4Validator, FormatChecker, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.fidelity.allowlist import ENVELOPE, EXTRA_PROPERTIES, OPEN_SCHEMAS

__all__ = ["Direction", "SchemaBook", "Violation", "component_ref", "envelope_ref"]

Direction = Literal["request", "response"]
JsonPath = tuple[str | int, ...]

SPEC_URI = "urn:xero:accounting-openapi"
# Keys that describe rather than constrain (``default`` too: the spec writes "false" for
# booleans, and a default is never checked against a value anyway).
_ANNOTATIONS = {"description", "example", "examples", "externalDocs", "xml", "default", "readOnly"}
_MS_DATE = re.compile(r"/Date\(-?\d+(?:[+-]\d{4})?\)/")
_ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class Violation:
    path: JsonPath  # where in the body, e.g. ("Invoices", 0, "DueDate")
    rule: str  # what was broken, the same words for every occurrence
    detail: str  # this occurrence: the value, the message


def component_ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def envelope_ref(name: str) -> str:
    """A 2xx answer's top level: the component plus the envelope fields Xero adds."""
    return f"#/components/envelopes/{name}"


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("x-is-msdate", "x-is-msdate-time"):
            if value:
                out["msDate"] = True
        elif key.startswith("x-") or key in _ANNOTATIONS or key == "nullable":
            continue
        elif key == "properties":
            out[key] = {name: _convert(schema) for name, schema in value.items()}
        else:
            out[key] = _convert(value)
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _components(spec: Mapping[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for name, schema in spec["components"]["schemas"].items():
        converted = _convert(schema)
        converted["title"] = name  # names the schema in "property not declared by …"
        if name in EXTRA_PROPERTIES:
            converted["properties"] = {**converted.get("properties", {}), **EXTRA_PROPERTIES[name]}
        if name in OPEN_SCHEMAS:
            converted.pop("additionalProperties", None)
        schemas[name] = converted
    envelopes = {}
    for name, schema in schemas.items():
        if "properties" in schema:
            envelope = copy.deepcopy(schema)
            envelope["properties"] = {**ENVELOPE, **envelope["properties"]}
            envelopes[name] = envelope
    return {"components": {"schemas": schemas, "envelopes": envelopes}}


def _ms_date_answer(validator: Any, enabled: bool, instance: Any, schema: Any) -> Iterator[Any]:
    if enabled and isinstance(instance, str) and not _MS_DATE.fullmatch(instance):
        yield ValidationError(f"{instance!r} is not an MS-JSON date")


def _ms_date_request(validator: Any, enabled: bool, instance: Any, schema: Any) -> Iterator[Any]:
    if (
        enabled
        and isinstance(instance, str)
        and not (_MS_DATE.fullmatch(instance) or _ISO_DATE.fullmatch(instance))
    ):
        yield ValidationError(f"{instance!r} is not a date Xero reads")


_VALIDATORS = {
    "response": validators.extend(Draft4Validator, {"msDate": _ms_date_answer}),
    "request": validators.extend(Draft4Validator, {"msDate": _ms_date_request}),
}
_DATE_RULES = {
    "response": "not an MS-JSON date /Date(ms±hhmm)/",
    "request": "not a date Xero reads (/Date(ms)/, YYYY-MM-DD or ISO datetime)",
}

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("uuid")
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID.fullmatch(value))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _shown(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _violations(error: ValidationError, direction: Direction) -> Iterator[Violation]:
    path: JsonPath = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    title = schema.get("title", "the schema")
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties":
        declared = schema.get("properties", {})
        for name in instance:
            if name not in declared:
                yield Violation(
                    (*path, name), f"property not declared by {title}", _shown(instance[name])
                )
    elif kind == "required":
        for name in value:
            if name not in instance:
                yield Violation((*path, name), f"required by {title} but missing", "absent")
    elif kind == "type" and instance is None:
        yield Violation(path, f"null where the schema allows only {value} (not nullable)", "None")
    elif kind == "type":
        yield Violation(path, f"expected {value}, got {_json_type(instance)}", _shown(instance))
    elif kind == "enum":
        allowed = ", ".join(map(str, value[:8])) + (", …" if len(value) > 8 else "")
        yield Violation(path, f"not one of the enum values ({allowed})", _shown(instance))
    elif kind == "format":
        yield Violation(path, f"not a {value}", _shown(instance))
    elif kind == "msDate":
        yield Violation(path, _DATE_RULES[direction], _shown(instance))
    elif kind == "maxLength":
        yield Violation(path, f"longer than maxLength {value}", f"{len(instance)} characters")
    else:
        yield Violation(path, f"{kind} {_shown(value, 40)}", error.message[:120])


class SchemaBook:
    """Every component schema of the spec, ready to validate a body against one of them."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        document = _components(spec)
        self._names = set(document["components"]["schemas"])
        self._registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, Resource.from_contents(document, default_specification=DRAFT4)
        )
        self._validators: dict[tuple[str, Direction], Any] = {}

    def has(self, name: str) -> bool:
        return name in self._names

    def check(self, ref: str, body: Any, direction: Direction) -> list[Violation]:
        """Every way ``body`` breaks the schema at ``ref`` (``component_ref`` /
        ``envelope_ref``), in document order."""
        key = (ref, direction)
        if key not in self._validators:
            self._validators[key] = _VALIDATORS[direction](
                {"$ref": SPEC_URI + ref}, registry=self._registry, format_checker=_FORMATS
            )
        errors = sorted(self._validators[key].iter_errors(body), key=lambda e: e.json_path)
        return [v for error in errors for v in _violations(error, direction)]
