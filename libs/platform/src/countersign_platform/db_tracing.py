"""Postgres work as spans, inside traced work only: a span per transaction, and one per
statement run outside a transaction.

asyncpg calls a connection's query loggers after each statement (``Connection.add_query_logger``;
BEGIN, COMMIT and ROLLBACK included) with its text and how long it took, in the context of the
code that ran it. Each connection's logger follows its transaction: the span starts back-dated
to the BEGIN, under the span current at the transaction's first statement (a request, a
consumed message, a publication step), counts the statements and ends with the COMMIT or the
ROLLBACK. Work with no traced span around it (a relay's or a worker's idle poll) makes none.
Only parametrised text is recorded, never the arguments.

A span per statement was measured first: 108 of an item's 142 spans, and tracing doubled the
services' CPU per item (ADR 0059); per transaction keeps where the database time goes at a
fraction of that.
"""

from __future__ import annotations

import time
from typing import Any

import asyncpg
from opentelemetry import trace
from opentelemetry.trace import Span

from countersign_platform.tracing import SpanKind, end_span, start_span, tracing_on

__all__ = ["trace_statements"]

_MAX_TEXT = 300
_DATABASE = {"db.system.name": "postgresql"}
# What asyncpg's pool runs on every connection it takes back: housekeeping, not the work's.
_POOL_RESET = "SELECT pg_advisory_unlock_all();"


async def trace_statements(conn: asyncpg.Connection) -> None:
    """The pool's ``init``: the connection's transactions and statements traced, when on."""
    if tracing_on():
        conn.add_query_logger(_ConnectionSpans())


class _ConnectionSpans:
    """One connection's logger: its open transaction, if any."""

    def __init__(self) -> None:
        self._begun_at: int | None = None  # in a transaction since (ns)
        self._span: Span | None = None
        self._statements = 0
        self._failure: BaseException | None = None

    def __call__(self, record: Any) -> None:
        """``record``: asyncpg's ``LoggedQuery`` (query, args, elapsed, exception, ...)."""
        if record.query.startswith(_POOL_RESET):
            return
        ended = time.time_ns()
        words = record.query.split(None, 1)
        operation = words[0].rstrip(";").upper() if words else "SQL"
        if operation in ("BEGIN", "START"):
            self._begun_at, self._span, self._statements = ended - _ns(record.elapsed), None, 0
            self._failure = None
        elif operation in ("COMMIT", "ROLLBACK", "END") and self._begun_at is not None:
            self._end(operation, ended, record.exception)
        elif self._begun_at is not None:
            self._statements += 1
            self._failure = self._failure or record.exception
            if self._span is None and trace.get_current_span().is_recording():
                self._span = start_span(
                    "transaction", kind=SpanKind.CLIENT, attributes=_DATABASE,
                    start_time=self._begun_at,
                )  # fmt: skip
        elif trace.get_current_span().is_recording():
            _statement(record, operation, ended)

    def _end(self, operation: str, ended: int, exception: BaseException | None) -> None:
        span, self._span, self._begun_at = self._span, None, None
        if span is None:
            return
        span.set_attribute("db.transaction.statements", self._statements)
        span.set_attribute("db.transaction.outcome", operation.lower())
        end_span(span, exception or self._failure, end_time=ended)


def _statement(record: Any, operation: str, ended: int) -> None:
    span = start_span(
        operation,
        kind=SpanKind.CLIENT,
        attributes={
            **_DATABASE,
            "db.operation.name": operation,
            "db.query.text": record.query[:_MAX_TEXT],
        },
        start_time=ended - _ns(record.elapsed),
    )
    end_span(span, record.exception, end_time=ended)


def _ns(seconds: float) -> int:
    return int(seconds * 1e9)
