"""Reading answers as Xero's official Python SDK (xero-python) reads them.

Which model an operation's answer becomes is taken from the SDK itself: every method of
``xero_python/accounting/api/accounting_api.py`` builds its URL with
``get_resource_url("/Invoices")`` and calls ``call_api(url, "PUT", …, response_type="Invoices")``;
that source is parsed once (never executed against a server). The answer is then read as
``ApiClient.deserialize`` reads it: ``json.loads(text, parse_float=Decimal)`` and the SDK's own
``deserialize``. No ``ApiClient`` is built for that: the SDK's ``Configuration`` keeps the first
instance ever made as a process-wide default and hands copies of it to every later
``Configuration(...)`` call, so building one here would change other tests' clients.

When the SDK raises, the body is walked down the same model types to name each field the SDK
cannot read: the deserialiser itself only says "Invalid datetime value None".
"""

from __future__ import annotations

import ast
import functools
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import xero_python.accounting.api.accounting_api as accounting_api
from xero_python.accounting import models
from xero_python.api_client import ModelFinder
from xero_python.api_client.deserializer import deserialize

from tests.fidelity.schemas import JsonPath, Violation

__all__ = ["ERROR_MODEL", "SdkReader", "sdk_return_types"]

ERROR_MODEL = "Error"  # what a 400 body is (the SDK hands it over as JSON; its model is this)
_LIST = re.compile(r"list\[(.*)\]")
# A model's setter refusing a value names the attribute: "Invalid value for `status` (FOO)".
_ATTRIBUTE = re.compile(r"`(\w+)`")


@functools.cache
def sdk_return_types() -> Mapping[tuple[str, str], str | None]:
    """(method, path template) -> the SDK's ``response_type`` (None: the call returns nothing)."""
    tree = ast.parse(Path(accounting_api.__file__).read_text(encoding="utf-8"))
    found: dict[tuple[str, str], str | None] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        url = method = None
        response_type: str | None = None
        for call in ast.walk(function):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            if call.func.attr == "get_resource_url" and isinstance(call.args[0], ast.Constant):
                url = call.args[0].value
            elif call.func.attr == "call_api":
                method = call.args[1].value if isinstance(call.args[1], ast.Constant) else None
                for keyword in call.keywords:
                    if keyword.arg == "response_type" and isinstance(keyword.value, ast.Constant):
                        response_type = keyword.value.value
        if url and method:
            found[(method, url)] = response_type
    return found


class SdkReader:
    def __init__(self) -> None:
        self._finder = ModelFinder(models)

    def read(self, response_type: str, body: Any) -> list[Violation]:
        """How the SDK fails to read ``body`` as ``response_type``; empty when it reads it."""
        # Values as the SDK sees them: JSON numbers with a fraction are Decimals.
        data = json.loads(json.dumps(body), parse_float=Decimal)
        try:
            deserialize(response_type, data, self._finder)
        except Exception:
            return self._failures(response_type, data, ())
        return []

    def _failures(self, type_name: str, data: Any, path: JsonPath) -> list[Violation]:
        """Mirrors the SDK's ``deserialize`` / ``deserialize_model``, collecting every failure
        instead of stopping at the first."""
        listed = _LIST.fullmatch(type_name)
        if listed and isinstance(data, list):
            return [
                failure
                for index, item in enumerate(data)
                for failure in self._failures(listed.group(1), item, (*path, index))
            ]
        model = getattr(models, type_name, None)
        if isinstance(model, type) and not issubclass(model, Enum) and isinstance(data, dict):
            return self._model_failures(model, data, path)
        try:
            deserialize(type_name, data, self._finder)
        except Exception as exc:
            return [_violation(type_name, path, exc)]
        return []

    def _model_failures(self, model: Any, data: dict[str, Any], path: JsonPath) -> list[Violation]:
        failures: list[Violation] = []
        read: dict[str, Any] = {}
        for attribute, attribute_type in model.openapi_types.items():
            key = model.attribute_map[attribute]
            if key not in data:
                continue
            try:
                read[attribute] = deserialize(attribute_type, data[key], self._finder)
            except Exception:
                failures += self._failures(attribute_type, data[key], (*path, key))
        try:
            model(**read)  # the model's own checks (enums held as strings, lengths)
        except Exception as exc:
            failures.append(_violation(model.__name__, path, exc))
        return failures


def _violation(type_name: str, path: JsonPath, exc: Exception) -> Violation:
    message = f"{type(exc).__name__}: {exc}"[:160]
    return Violation(
        _blamed(type_name, path, exc), f"the SDK cannot read it as {type_name}", message
    )


def _blamed(type_name: str, path: JsonPath, exc: Exception) -> JsonPath:
    """The field a model's own check refused, when its message names the attribute."""
    model = getattr(models, type_name, None)
    named = _ATTRIBUTE.search(str(exc))
    attribute_map = getattr(model, "attribute_map", {})
    if named and named.group(1) in attribute_map:
        return (*path, attribute_map[named.group(1)])
    return path
