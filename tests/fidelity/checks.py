"""What the fidelity net checks in one recorded exchange with the Accounting API.

    answer 2xx, JSON  -> the operation declares that status; the body matches its response
                         schema (plus the envelope) and the SDK reads it as its return type
    answer 400        -> a JSON body matching ``Error`` that the SDK reads as ``Error``
    publisher request -> an operation of the spec; every query parameter declared and well
                         typed; a JSON body matching the operation's request schema

Other statuses (401, 403, 404, 429, faults) have no body schema in the spec; requests the tests
write by hand are often malformed on purpose, so only the publisher's are held to the spec.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from tests.fidelity.findings import Findings
from tests.fidelity.operations import ACCOUNTING_PREFIX, Operation, OperationIndex, QueryParameter
from tests.fidelity.recordings import Exchange
from tests.fidelity.schemas import SchemaBook, Violation, component_ref, envelope_ref
from tests.fidelity.sdk import ERROR_MODEL, SdkReader, sdk_return_types

__all__ = ["Checker", "Tally"]

_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WHOLE = ()  # the path of a finding about the exchange as a whole


@dataclass
class Tally:
    answers: int = 0  # 2xx and 400 answers of Accounting operations checked
    publisher_requests: int = 0
    cut_short: int = 0  # answers a fault broke off mid-way (nothing to judge)


def _label(exchange: Exchange, op: Operation | None) -> str:
    if op is not None:
        return op.name
    path = exchange.path.removeprefix(ACCOUNTING_PREFIX)
    return f"{exchange.method} {_UUID.sub('{id}', path)} (not in the spec)"


def _query_violations(param: QueryParameter, value: str) -> Iterator[Violation]:
    schema: Mapping[str, Any] = param.schema
    if schema.get("type") == "array":
        items, schema = (value.split(",") if param.comma_separated else [value]), schema["items"]
    else:
        items = [value]
    where = (f"?{param.name}",)
    kind, fmt = schema.get("type"), schema.get("format")
    for item in items:
        if kind == "boolean" and item.lower() not in ("true", "false"):
            yield Violation(where, "expected boolean (true or false)", repr(item))
        elif kind == "integer" and not _INTEGER.fullmatch(item):
            yield Violation(where, "expected integer", repr(item))
        elif kind == "number" and not _NUMBER.fullmatch(item):
            yield Violation(where, "expected number", repr(item))
        elif fmt == "uuid" and not _UUID.fullmatch(item.strip()):
            yield Violation(where, "not a uuid", repr(item))
        elif "enum" in schema and item not in schema["enum"]:
            yield Violation(where, "not one of the enum values", repr(item))


class Checker:
    def __init__(self, spec: Mapping[str, Any]) -> None:
        self._operations = OperationIndex(spec)
        self._schemas = SchemaBook(spec)
        self._sdk = SdkReader()
        self._return_types = sdk_return_types()
        self.tally = Tally()

    def check(self, exchange: Exchange, findings: Findings) -> None:
        if not exchange.path.startswith(ACCOUNTING_PREFIX + "/"):
            return  # identity endpoints and the sandbox's own /_sandbox controls
        op = self._operation(exchange)
        label = _label(exchange, op)
        if exchange.from_publisher:
            self.tally.publisher_requests += 1
            found = list(self._request(exchange, op))
            findings.add_all(label, "publisher request", found, exchange.source)
        status = exchange.status or 0
        if exchange.cut_short:
            self.tally.cut_short += 1
        elif 200 <= status < 300 or status == 400:
            self.tally.answers += 1
            findings.add_all(label, "answer", self._answer(exchange, op), exchange.source)

    def _operation(self, exchange: Exchange) -> Operation | None:
        # The spec models a document's PDF as its own path (`GET /Invoices/{InvoiceID}/pdf`);
        # the API serves it at the document's address to `Accept: application/pdf`, which is
        # what the SDK's get_invoice_as_pdf sends. Judge such a call by the PDF operation.
        if exchange.request_headers.get("accept", "").startswith("application/pdf"):
            as_pdf = self._operations.find(exchange.method, exchange.path.rstrip("/") + "/pdf")
            if as_pdf is not None:
                return as_pdf
        return self._operations.find(exchange.method, exchange.path)

    def _request(self, exchange: Exchange, op: Operation | None) -> Iterator[Violation]:
        if op is None:
            yield Violation(_WHOLE, "the spec has no such operation", exchange.path)
            return
        for name, value in parse_qsl(exchange.query, keep_blank_values=True):
            if name not in op.query:
                yield Violation((f"?{name}",), "query parameter not declared", repr(value))
            else:
                yield from _query_violations(op.query[name], value)
        body = exchange.request_body
        if not (exchange.request_is_json and isinstance(body, dict | list)):
            return
        if op.request_schema is None:
            yield Violation(_WHOLE, "JSON body where the spec declares none", "")
        else:
            yield from self._schemas.check(component_ref(op.request_schema), body, "request")

    def _answer(self, exchange: Exchange, op: Operation | None) -> Iterator[Violation]:
        status, body = exchange.status, exchange.response_body
        json_body = exchange.response_is_json and isinstance(body, dict | list)
        if status == 400:
            if not json_body:
                ctype = exchange.response_headers.get("content-type", "no content type")
                yield Violation(_WHOLE, "400 answer is not a JSON Error", ctype)
                return
            yield from self._schemas.check(component_ref(ERROR_MODEL), body, "response")
            yield from self._sdk.read(ERROR_MODEL, body)
            return
        if op is None:
            yield Violation(_WHOLE, "answered 2xx to an operation the spec does not have", "")
            return
        declared = op.responses.get(str(status))
        if declared is None:
            statuses = ", ".join(sorted(op.responses))
            yield Violation(_WHOLE, f"status {status} not declared (declared: {statuses})", "")
            return
        if "application/json" not in declared:
            if json_body:
                yield Violation(_WHOLE, f"JSON answer where the spec declares {list(declared)}", "")
            return
        if not json_body:
            ctype = exchange.response_headers.get("content-type", "no content type")
            yield Violation(
                _WHOLE, "answer is not JSON (the spec declares application/json)", ctype
            )
            return
        schema = declared["application/json"]
        if schema is not None:
            yield from self._schemas.check(envelope_ref(schema), body, "response")
        response_type = self._return_types.get((op.method, op.template))
        if response_type not in (None, "file"):
            yield from self._sdk.read(str(response_type), body)
