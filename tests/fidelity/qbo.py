"""The QBO fidelity net: every exchange the QBO sandbox recorded, checked against Intuit's
documented shapes (``shared/reference/qbo-api.md``, python-quickbooks' classes).

    request  -> headers, query parameters, query statements, batches, uploads and entity
                bodies (``qbo_requests``); the publisher's always, any other client's when
                the sandbox accepted it (a refused one is a test of the refusal)
    answer   -> 2xx: the envelope of its kind and each entity in it (``qbo_answers``);
                400: the data-service ``Fault``; 401/403/429: the gateway's ``fault``

A call the net does not know is listed as "unchecked" (counted, never failing), so a new
endpoint shows up in the report. OAuth and the sandbox's own ``/_sandbox`` controls are not
Accounting calls and are only counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from tests.fidelity.findings import Findings, Side
from tests.fidelity.qbo_answers import (
    batch_answer,
    cdc_answer,
    entity_envelope,
    fault_answer,
    gateway_fault,
    query_answer,
    upload_answer,
)
from tests.fidelity.qbo_reference import entity_name
from tests.fidelity.qbo_requests import QboCall, request_violations
from tests.fidelity.recordings import Exchange
from tests.fidelity.schemas import Violation

__all__ = [
    "QboChecker",
    "QboTally",
    "check_qbo",
    "classify",
    "operation",
    "summary",
    "unchecked_report",
]

_ACCOUNTING = re.compile(r"/v3/company/[^/]+/(?P<segment>[^/]+)(?P<id>/[^/]+)?/?")
_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
_SPECIAL = {"query": ("GET", "POST"), "batch": ("POST",), "upload": ("POST",), "cdc": ("GET",)}
_GATEWAY = (401, 403, 429)
# Sent by a test whose request is off the documented shape on purpose (sandbox/qbo/tests).
OFF_SPEC = "x-countersign-off-spec"


def operation(exchange: Exchange) -> str:
    """``METHOD path`` with the realm and ids as placeholders: ``GET …/bill/{id}``."""
    found = _ACCOUNTING.fullmatch(exchange.path)
    if found is None:
        return f"{exchange.method} {exchange.path}"
    path = f"/v3/company/{{realmId}}/{found['segment'].lower()}"
    return f"{exchange.method} {path}" + ("/{id}" if found["id"] else "")


def classify(exchange: Exchange) -> QboCall | None:
    """What kind of Accounting call this is; None when it is not one at all."""
    found = _ACCOUNTING.fullmatch(exchange.path)
    if found is None:
        return None
    segment, has_id, method = found["segment"].lower(), bool(found["id"]), exchange.method
    if segment in _SPECIAL:
        known = method in _SPECIAL[segment] and not has_id
        return QboCall(segment if known else None)
    if segment == "download":
        return QboCall("download" if method == "GET" and has_id else None, has_id=has_id)
    name = entity_name(segment)
    reads = method == "GET" and (has_id or name == "Preferences")
    if name is None or not (reads or (method == "POST" and not has_id)):
        return QboCall(None)
    return QboCall("entity", name, has_id)


@dataclass
class QboTally:
    answers: int = 0
    requests: int = 0  # any client's, the publisher's included
    publisher_requests: int = 0
    cut_short: int = 0
    off_spec: int = 0  # requests marked off the shape on purpose, not judged
    unchecked: Counter[str] = field(default_factory=Counter)


def _statement_entity(exchange: Exchange) -> str | None:
    text = exchange.request_body
    if exchange.method == "GET":
        text = dict(parse_qsl(exchange.query)).get("query")
    found = _FROM.search(text) if isinstance(text, str) else None
    return found.group(1) if found else None


def _asked(exchange: Exchange) -> list[str]:
    body = exchange.request_body
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    return [str(item.get("bId")) for item in items or [] if isinstance(item, dict)]


def _success(exchange: Exchange, call: QboCall) -> Iterator[Violation]:
    body = exchange.response_body
    if call.kind == "download":
        if not (isinstance(body, str) and body.startswith(("http://", "https://"))):
            yield Violation((), "a download answers a plain-text URL", repr(body)[:80])
    elif not (exchange.response_is_json and isinstance(body, dict)):
        ctype = exchange.response_headers.get("content-type", "no content type")
        yield Violation((), "answer is not a JSON object", ctype)
    elif call.kind == "entity" and call.entity is not None:
        yield from entity_envelope(call.entity, body)
    elif call.kind == "query":
        yield from query_answer(body, _statement_entity(exchange))
    elif call.kind == "cdc":
        yield from cdc_answer(body)
    elif call.kind == "batch":
        yield from batch_answer(body, _asked(exchange))
    elif call.kind == "upload":
        yield from upload_answer(body)


def _answer(exchange: Exchange, call: QboCall) -> Iterator[Violation]:
    status = exchange.status or 0
    if 200 <= status < 300:
        yield from _success(exchange, call)
    elif status == 400:
        yield from fault_answer(exchange.response_body)
    elif status in _GATEWAY:
        yield from gateway_fault(exchange.response_body)


class QboChecker:
    def __init__(self) -> None:
        self.tally = QboTally()

    def check(self, exchange: Exchange, findings: Findings) -> None:
        call = classify(exchange)
        if call is None:
            return  # OAuth, the consent page, /_sandbox controls, file downloads
        label = operation(exchange)
        if call.kind is None:
            self.tally.unchecked[label] += 1
            return
        status = exchange.status or 0
        if OFF_SPEC in exchange.request_headers:
            self.tally.off_spec += 1  # a test's request off the shape on purpose
        elif exchange.from_publisher or 200 <= status < 300:
            self.tally.requests += 1
            self.tally.publisher_requests += exchange.from_publisher
            side: Side = "publisher request" if exchange.from_publisher else "request"
            findings.add_all(label, side, request_violations(exchange, call), exchange.source)
        if exchange.cut_short:
            self.tally.cut_short += 1
        elif 200 <= status < 300 or status == 400 or status in _GATEWAY:
            self.tally.answers += 1
            findings.add_all(label, "answer", _answer(exchange, call), exchange.source)


def check_qbo(exchanges: Iterable[Exchange], findings: Findings) -> QboTally:
    checker = QboChecker()
    for exchange in exchanges:
        checker.check(exchange, findings)
    return checker.tally


def summary(exchanges: Iterable[Exchange]) -> str:
    """One line per operation (count, statuses), Accounting API first."""
    counts: Counter[str] = Counter()
    statuses: dict[str, Counter[int | None]] = {}
    for exchange in exchanges:
        name = operation(exchange)
        counts[name] += 1
        statuses.setdefault(name, Counter())[exchange.status] += 1
    order = sorted(counts, key=lambda n: (not n.split(" ")[1].startswith("/v3/"), n))
    return "\n".join(
        f"  {counts[name]:6d}  {name}  "
        + " ".join(f"{status}:{n}" for status, n in sorted(statuses[name].items(), key=str))
        for name in order
    )


def unchecked_report(tally: QboTally) -> str:
    return "\n".join(f"  {n:6d}  {name}" for name, n in sorted(tally.unchecked.items()))
