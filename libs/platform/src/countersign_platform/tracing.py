"""Traces (ADR 0059): OpenTelemetry spans, off unless the standard ``OTEL_*`` variables ask for
an exporter, and the W3C trace context carried across every hop of an item's journey.

    Dext ─HTTP─▶ ingest request span ─(outbox row keeps its traceparent)─▶ relay "publish" span
      ─Kafka header─▶ approval "process" span ─(outbox)─▶ relay ─▶ publisher "process" span
      ─(publication row keeps its traceparent)─▶ publication step span ─▶ Xero call span

Every hop stores or sends the context of the span current where the hop begins, and the next
side continues it as the parent: one trace id from Dext's request to the Xero bill. Postgres
statements become spans only inside a traced unit of work (``db_tracing.py``), never on their
own. Span attributes come from the log context's allow-list (``telemetry.TRACED_FIELDS``) and
from the messaging/HTTP basics; never from bodies, tokens, amounts or e-mail addresses.

Off (the default), nothing here starts a span or reads a header: ``tracing_on()`` is False,
``span`` yields a non-recording span, ``traceparent_now`` is None, and the Kafka header keeps
the contracts' id-derived value (``countersign_contracts.traceparent``).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from types import TracebackType

import httpx
from opentelemetry import context as otel_context, propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode

from countersign_platform.telemetry import traced_fields

__all__ = [
    "SpanKind",
    "carry_context",
    "configure_tracing",
    "context_of",
    "end_span",
    "record_context",
    "shutdown_tracing",
    "span",
    "start_span",
    "traced_by",
    "traceparent_now",
    "tracer",
    "tracing_on",
]

log = logging.getLogger(__name__)

_PROVIDER: TracerProvider | None = None
_TRACER: trace.Tracer | None = None

# Trace context headers: the W3C ones (OTEL_PROPAGATORS may add others, e.g. baggage).
_CONTEXT_HEADERS = ("traceparent", "tracestate")


def _exporters(environ: Mapping[str, str]) -> list[SpanExporter]:
    """What ``OTEL_TRACES_EXPORTER`` names; an OTLP endpoint alone means ``otlp``."""
    named = environ.get("OTEL_TRACES_EXPORTER", "").strip()
    if not named and (
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        named = "otlp"
    exporters: list[SpanExporter] = []
    for name in filter(None, (part.strip() for part in named.split(","))):
        if name == "none":
            continue
        if name == "console":
            exporters.append(ConsoleSpanExporter())
        elif name == "otlp":
            protocol = environ.get(
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            )
            if protocol != "http/protobuf":
                raise ValueError(
                    f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: only http/protobuf is supported"
                )
            # Imported only when wanted: the exporter pulls in protobuf and requests.
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter())  # endpoint, headers, timeout from OTEL_*
        else:
            raise ValueError(f"OTEL_TRACES_EXPORTER={name}: known exporters are otlp, console")
    return exporters


def configure_tracing(service: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Starts tracing for this process from the ``OTEL_*`` variables; True when this call
    started it (its caller then calls ``shutdown_tracing`` when stopping), False when it is off
    or was on already.

    Off unless an exporter is asked for (``OTEL_TRACES_EXPORTER`` or an OTLP endpoint), and
    always off with ``OTEL_SDK_DISABLED=true``. ``OTEL_SERVICE_NAME`` defaults to ``service``;
    the sampler (``OTEL_TRACES_SAMPLER``), the batch processor (``OTEL_BSP_*``) and the OTLP
    exporter (``OTEL_EXPORTER_OTLP_*``) read their own variables."""
    if _TRACER is not None:
        return False
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = _exporters(environ)
    if not exporters:
        return False
    resource = Resource.create({SERVICE_NAME: environ.get("OTEL_SERVICE_NAME") or service})
    _install(TracerProvider(resource=resource), [BatchSpanProcessor(e) for e in exporters])
    log.info("tracing on: %s", ", ".join(type(e).__name__ for e in exporters))
    return True


def _install(provider: TracerProvider, processors: Sequence[SpanProcessor]) -> None:
    global _PROVIDER, _TRACER
    for processor in processors:
        provider.add_span_processor(processor)
    _PROVIDER, _TRACER = provider, provider.get_tracer("countersign")


def shutdown_tracing() -> None:
    """Exports what is still buffered and stops tracing (a service stopping)."""
    global _PROVIDER, _TRACER
    provider, _PROVIDER, _TRACER = _PROVIDER, None, None
    if provider is not None:
        provider.shutdown()


@contextlib.contextmanager
def traced_by(provider: TracerProvider) -> Iterator[None]:
    """Tracing on with ``provider`` inside the block (tests: an in-memory exporter)."""
    global _PROVIDER, _TRACER
    before = _PROVIDER, _TRACER
    _PROVIDER, _TRACER = provider, provider.get_tracer("countersign")
    try:
        yield
    finally:
        _PROVIDER, _TRACER = before


def tracing_on() -> bool:
    return _TRACER is not None


def tracer() -> trace.Tracer:
    return _TRACER or trace.NoOpTracer()


def _attributes(extra: Mapping[str, object] | None) -> dict[str, str | int]:
    attributes: dict[str, str | int] = {
        f"countersign.{name}": value for name, value in traced_fields().items()
    }
    for name, value in (extra or {}).items():
        if value is not None:
            attributes[name] = value if isinstance(value, int) else str(value)
    return attributes


def start_span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    parent: Context | None = None,
    attributes: Mapping[str, object] | None = None,
    links: Sequence[Context] = (),
    start_time: int | None = None,
) -> Span:
    """A span not made current (end it with ``end_span``); non-recording when tracing is off.
    It carries the log context's traced fields (organisation, subject, ...) as attributes."""
    if _TRACER is None:
        return trace.INVALID_SPAN
    linked = [Link(trace.get_current_span(c).get_span_context()) for c in links]
    return _TRACER.start_span(
        name,
        context=parent,
        kind=kind,
        attributes=_attributes(attributes),
        links=linked,
        start_time=start_time,
    )


def end_span(
    span: Span, error: BaseException | None = None, *, end_time: int | None = None
) -> None:
    """Ends ``span``; an error marks it failed with the error's type (never its message, which
    may quote data)."""
    if error is not None and span.is_recording():
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.set_attribute("error.type", type(error).__name__)
    span.end(end_time=end_time)


class span(contextlib.AbstractContextManager[Span]):
    """``start_span`` made current for the block, ended (with the error's type, if one) on
    leaving; a non-recording span, and nothing else done, when tracing is off. A class rather
    than a generator-based context manager: it wraps every hop, traced or not."""

    def __init__(
        self,
        name: str,
        *,
        kind: SpanKind = SpanKind.INTERNAL,
        parent: Context | None = None,
        attributes: Mapping[str, object] | None = None,
        links: Sequence[Context] = (),
    ) -> None:
        self._span = start_span(name, kind=kind, parent=parent, attributes=attributes, links=links)
        self._token: object | None = None

    def __enter__(self) -> Span:
        if self._span.is_recording():
            self._token = otel_context.attach(trace.set_span_in_context(self._span))
        return self._span

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._token is not None:
            otel_context.detach(self._token)  # type: ignore[arg-type]
            self._token = None
        end_span(self._span, exc)


def record_context(carrier: MutableMapping[str, str], within: Span | None = None) -> None:
    """Writes the trace context of ``within`` (else the current span) into ``carrier``: the
    headers of an outgoing request or message. Nothing when tracing is off."""
    if _TRACER is None:
        return
    context = trace.set_span_in_context(within) if within is not None else None
    propagate.inject(carrier, context=context)


async def carry_context(request: httpx.Request) -> None:
    """An httpx ``request`` event hook: the call carries the current span's context (the web
    app's calls to the services continue its request's trace)."""
    record_context(request.headers)


def traceparent_now() -> str | None:
    """The current span's W3C ``traceparent``, to store beside work done later (an outbox or a
    publication row); None when tracing is off or no span is current."""
    carrier: dict[str, str] = {}
    record_context(carrier)
    return carrier.get("traceparent")


def context_of(carrier: Mapping[str, str] | Sequence[tuple[str, bytes]] | None) -> Context | None:
    """The trace context in headers (a mapping, or Kafka's name/bytes pairs) or a stored
    ``traceparent``-only mapping: the parent of the span continuing it. None when tracing is
    off or there is none."""
    if _TRACER is None or not carrier:
        return None
    if not isinstance(carrier, Mapping):
        carrier = {
            name: value.decode(errors="replace")
            for name, value in carrier
            if name in _CONTEXT_HEADERS
        }
    if "traceparent" not in carrier:
        return None
    return propagate.extract(carrier)
