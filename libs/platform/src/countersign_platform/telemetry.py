"""JSON logs that carry the event's identity, and the Prometheus metrics every service exposes.

While a message or request is handled, ``log_context(...)`` puts its organisation, subject and
correlation ids into a context variable; the JSON formatter adds them to every line logged
inside, so one ``correlation_id`` finds an item's whole journey across the three services.
When a span is current (tracing on, ``tracing.py``), every line carries its ``trace_id`` and
``span_id`` too, and the fields of ``TRACED_FIELDS`` become attributes of that span.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from opentelemetry import trace
from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CONSUMED",
    "DEAD_LETTERED",
    "HTTP_LATENCY",
    "OUTBOX_PENDING",
    "PUBLISHED",
    "TRACED_FIELDS",
    "JsonFormatter",
    "annotate_span",
    "configure_logging",
    "log_context",
    "traced_fields",
]

_context: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "log_context", default=MappingProxyType({})
)

# Attributes every LogRecord has; anything else passed through ``extra=`` is logged as a field.
_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


TRACED_FIELDS = frozenset(
    {
        "organisation_id",
        "subject_id",
        "correlation_id",
        "event_id",
        "event_type",
        "request_id",
        "publication_id",
        "dext_item_id",
        "step",
    }
)
"""Log-context fields that also become span attributes (``countersign.<name>``): identifiers
only. Anything else a log line carries (an error text, a tenant) stays out of traces."""


@contextlib.contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Adds ``fields`` (None values skipped) to every log line written inside the block, and
    those of ``TRACED_FIELDS`` to the current span as attributes."""
    added = {k: str(v) for k, v in fields.items() if v is not None}
    annotate_span(**added)
    token = _context.set({**_context.get(), **added})
    try:
        yield
    finally:
        _context.reset(token)


def annotate_span(**fields: object) -> None:
    """Sets those of ``fields`` named in ``TRACED_FIELDS`` (None values skipped) on the
    current span as ``countersign.<name>`` attributes, when it records."""
    current = trace.get_current_span()
    if current.is_recording():
        current.set_attributes(
            {
                f"countersign.{k}": str(v)
                for k, v in fields.items()
                if k in TRACED_FIELDS and v is not None
            }
        )


def traced_fields() -> dict[str, str]:
    """The current log context's fields of ``TRACED_FIELDS``."""
    return {k: v for k, v in _context.get().items() if k in TRACED_FIELDS}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
            **_context.get(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            line["trace_id"] = format(span.trace_id, "032x")
            line["span_id"] = format(span.span_id, "016x")
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(service: str, level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library loggers that would otherwise repeat every request or poll at INFO. HTTP client
    # libraries may write an outgoing URL whole, and some URLs are credentials (a signed
    # document link): they speak only of failures.
    for noisy in (
        "aiokafka",
        "uvicorn.access",
        "httpx",
        "httpcore",
        "aiohttp",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


CONSUMED = Counter(
    "countersign_events_consumed_total",
    "Events taken from Kafka, by outcome (processed, duplicate, ignored, dead_lettered)",
    ["topic", "group", "outcome"],
)
DEAD_LETTERED = Counter(
    "countersign_dead_lettered_total",
    "Messages sent to a dead-letter topic, by reason",
    ["topic", "group", "reason"],
)
PUBLISHED = Counter(
    "countersign_outbox_published_total", "Outbox rows published to Kafka", ["topic"]
)
OUTBOX_PENDING = Gauge(
    "countersign_outbox_pending", "Outbox rows not yet published (sampled by the relay)"
)
HTTP_LATENCY = Histogram(
    "countersign_http_request_seconds",
    "HTTP request latency",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
