"""JSON logs that carry the event's identity, and the Prometheus metrics every service exposes.

While a message or request is handled, ``log_context(...)`` puts its organisation, subject and
correlation ids into a context variable; the JSON formatter adds them to every line logged
inside, so one ``correlation_id`` finds an item's whole journey across the three services.
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

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CONSUMED",
    "DEAD_LETTERED",
    "HTTP_LATENCY",
    "OUTBOX_PENDING",
    "PUBLISHED",
    "JsonFormatter",
    "configure_logging",
    "log_context",
]

_context: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "log_context", default=MappingProxyType({})
)

# Attributes every LogRecord has; anything else passed through ``extra=`` is logged as a field.
_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


@contextlib.contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Adds ``fields`` (None values skipped) to every log line written inside the block."""
    merged = {**_context.get(), **{k: str(v) for k, v in fields.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


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
