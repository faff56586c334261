"""An OTLP/HTTP trace receiver that keeps what it receives in memory: what the services, run
as processes, export when ``OTEL_EXPORTER_OTLP_ENDPOINT`` points at it (``Pipeline(traces=)``),
for a test to read back.

    with OtlpReceiver() as traces:
        env = traces.environment()           # the OTEL_* variables of a service exporting here
        ...
        spans = traces.trace(trace_id)        # every span of one trace received so far

It answers ``POST /v1/traces`` (protobuf, gzip or not) on loopback from a thread of its own,
so it serves whatever event loop the test runs, and decodes with ``opentelemetry-proto``.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

__all__ = ["OtlpReceiver", "ReceivedSpan"]

# Spans leave a service every fifth of a second instead of every five (OTEL_BSP_*).
_FAST_EXPORT = {"OTEL_BSP_SCHEDULE_DELAY": "200"}


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    trace_id: str  # 32 hex digits
    span_id: str  # 16 hex digits
    parent_span_id: str | None
    name: str
    kind: str  # SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL
    attributes: Mapping[str, Any]
    links: tuple[str, ...]  # trace ids of the linked spans
    failed: bool


def _value(value: AnyValue) -> Any:
    which = value.WhichOneof("value")
    return None if which is None else getattr(value, which)


def _attributes(pairs: Any) -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs if isinstance(pair, KeyValue)}


def _spans(request: ExportTraceServiceRequest) -> list[ReceivedSpan]:
    received = []
    for resource_spans in request.resource_spans:
        service = str(_attributes(resource_spans.resource.attributes).get("service.name", ""))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                received.append(
                    ReceivedSpan(
                        service=service,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex() or None,
                        name=span.name,
                        kind=span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_"),
                        attributes=_attributes(span.attributes),
                        links=tuple(link.trace_id.hex() for link in span.links),
                        failed=span.status.code == span.status.STATUS_CODE_ERROR,
                    )
                )
    return received


class OtlpReceiver:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_trace: dict[str, list[ReceivedSpan]] = {}
        self.requests = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces":
                    self.send_error(404)
                    return
                receiver._keep(_spans(ExportTraceServiceRequest.FromString(body)))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # one line per export would drown the test's output

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def environment(self) -> dict[str, str]:
        """The ``OTEL_*`` variables of a service that exports its traces here."""
        return {
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": self.endpoint,
            **_FAST_EXPORT,
        }

    def _keep(self, spans: list[ReceivedSpan]) -> None:
        with self._lock:
            self.requests += 1
            for span in spans:
                self._by_trace.setdefault(span.trace_id, []).append(span)

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        with self._lock:
            return list(self._by_trace.get(trace_id, ()))

    def find(self, predicate: Callable[[ReceivedSpan], bool]) -> list[ReceivedSpan]:
        """Every span received so far that ``predicate`` accepts."""
        with self._lock:
            every = [span for spans in self._by_trace.values() for span in spans]
        return [span for span in every if predicate(span)]

    @property
    def span_count(self) -> int:
        with self._lock:
            return sum(len(spans) for spans in self._by_trace.values())

    def start(self) -> OtlpReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OtlpReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
