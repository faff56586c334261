"""Postgres statements as spans, inside a traced unit of work only.

asyncpg calls a connection's query loggers after each statement (``Connection.add_query_logger``;
BEGIN and COMMIT included) with its text and how long it took, in the context of the code that
ran it. The logger turns that into a span, back-dated by the statement's time, under the span
current there (a request, a consumed message, a publication step): a statement with no traced
work around it (a relay's or a worker's idle poll) makes no span. Only the parametrised text is
recorded, never the arguments.
"""

from __future__ import annotations

import time
from typing import Any

import asyncpg
from opentelemetry import trace

from countersign_platform.tracing import SpanKind, end_span, start_span, tracing_on

__all__ = ["trace_statements"]

_MAX_TEXT = 300


async def trace_statements(conn: asyncpg.Connection) -> None:
    """The pool's ``init``: the connection's statements traced, when tracing is on."""
    if tracing_on():
        conn.add_query_logger(_statement_span)


def _statement_span(record: Any) -> None:
    """``record``: asyncpg's ``LoggedQuery`` (query, args, elapsed, exception, ...)."""
    if not trace.get_current_span().is_recording():
        return
    ended = time.time_ns()
    query: str = record.query
    operation = query.lstrip().split(None, 1)[0].upper() if query.strip() else "SQL"
    span = start_span(
        operation,
        kind=SpanKind.CLIENT,
        attributes={
            "db.system.name": "postgresql",
            "db.operation.name": operation,
            "db.query.text": query[:_MAX_TEXT],
        },
        start_time=ended - int(record.elapsed * 1e9),
    )
    end_span(span, record.exception, end_time=ended)
