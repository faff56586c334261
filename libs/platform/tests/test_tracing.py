"""Tracing without a broker or a database (ADR 0059): off unless the OTEL_* variables ask; the
trace context carried through the outbox row, the relay's send and the consumer's handling;
log lines carrying the trace id; only identifiers as span attributes."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from countersign_contracts import COST_ITEMS, Envelope, kafka_headers
from countersign_harness.samples import cost_item_submitted
from countersign_platform import tracing
from countersign_platform.consumer import ConsumedRecord, EventConsumer, Outcome
from countersign_platform.outbox import OutboxRelay, enqueue
from countersign_platform.subscription import On, Subscription
from countersign_platform.telemetry import JsonFormatter, log_context
from countersign_platform.tracing import configure_tracing, shutdown_tracing, traced_by
from countersign_platform.web import RequestTracing
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from libs.platform.tests.fakes import FakeConnection, FakeDatabase, FakeProducer

ORG = uuid.uuid4()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on for the test, its finished spans kept in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with traced_by(provider):
        yield exporter
    provider.shutdown()


def traceparent_of(span: trace.Span | ReadableSpan) -> str:
    context = span.get_span_context()
    assert context is not None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def named(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    [found] = [span for span in exporter.get_finished_spans() if span.name == name]
    return found


def staged_headers(db: FakeDatabase) -> dict[str, str]:
    [args] = db.written("outbox")
    headers: dict[str, str] = json.loads(args[4])
    return headers


async def stage(db: FakeDatabase, envelope: Envelope[Any]) -> None:
    async with db.acquire() as conn, conn.transaction():
        await enqueue(conn, COST_ITEMS, envelope)


# Off by default ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"OTEL_SERVICE_NAME": "ingest"},
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
        {"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "console"},
    ],
)
def test_tracing_stays_off_unless_an_exporter_is_asked_for(environ: dict[str, str]) -> None:
    assert configure_tracing("ingest", environ) is False
    assert not tracing.tracing_on()


@pytest.mark.parametrize(
    "environ",
    [
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"},
        {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://x:9/v1"},
        {"OTEL_TRACES_EXPORTER": "console"},
    ],
)
def test_an_exporter_or_an_otlp_endpoint_turns_tracing_on(environ: dict[str, str]) -> None:
    try:
        assert configure_tracing("ingest", environ) is True
        assert tracing.tracing_on()
    finally:
        shutdown_tracing()
    assert not tracing.tracing_on()


@pytest.mark.parametrize(
    ("environ", "refusal"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "known exporters are otlp, console"),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "http/protobuf"),
    ],
)
def test_an_exporter_this_build_lacks_is_refused_by_name(
    environ: dict[str, str], refusal: str
) -> None:
    with pytest.raises(ValueError, match=refusal):
        configure_tracing("ingest", environ)
    assert not tracing.tracing_on()


async def test_with_tracing_off_the_outbox_keeps_the_contracts_id_derived_header() -> None:
    db, envelope = FakeDatabase(), cost_item_submitted(ORG, "item-1")

    await stage(db, envelope)

    assert staged_headers(db)["traceparent"] == kafka_headers(envelope)["traceparent"]


# Carried through the outbox and Kafka ----------------------------------------------------------


async def test_an_outbox_row_keeps_the_context_of_the_span_that_wrote_it(
    spans: InMemorySpanExporter,
) -> None:
    db = FakeDatabase()
    with tracing.span("POST /v1/cost-items", kind=SpanKind.SERVER) as request:
        await stage(db, cost_item_submitted(ORG, "item-1"))

    assert staged_headers(db)["traceparent"] == traceparent_of(request)


async def test_the_relay_sends_each_row_in_a_span_that_continues_its_writers_trace(
    spans: InMemorySpanExporter,
) -> None:
    writer = FakeDatabase()
    with tracing.span("POST /v1/cost-items", kind=SpanKind.SERVER) as request:
        await stage(writer, cost_item_submitted(ORG, "item-1"))
    [args] = writer.written("outbox")
    row = {"id": 1, "topic": args[1], "key": args[2], "headers": args[4], "payload": args[5]}
    db = FakeDatabase({"pg_try_advisory_xact_lock": [0], "ORDER BY id": [row]})
    producer = FakeProducer()
    relay = OutboxRelay(db, producer, schema="ingest", connect=FakeDatabase().connect)

    assert await relay.publish_pending() == 1

    [sent] = producer.sent
    published = named(spans, f"{COST_ITEMS} publish")
    assert published.kind is SpanKind.PRODUCER
    assert published.parent is not None
    assert published.parent.span_id == request.get_span_context().span_id
    assert sent.headers["traceparent"] == traceparent_of(published)
    assert published.attributes is not None
    assert published.attributes["countersign.organisation_id"] == str(ORG)


async def test_a_consumed_record_is_handled_in_a_span_whose_writes_carry_its_context_on(
    spans: InMemorySpanExporter,
) -> None:
    upstream = "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01"
    event = cost_item_submitted(ORG, "item-1")
    headers = {**kafka_headers(event), "traceparent": upstream}
    record = ConsumedRecord(
        topic=f"stack-7.{COST_ITEMS}",
        partition=2,
        offset=17,
        key=b"item-1",
        value=json.dumps(event.model_dump(mode="json")).encode(),
        headers=tuple((name, value.encode()) for name, value in headers.items()),
    )
    db = FakeDatabase()

    async def handler(conn: FakeConnection, envelope: Envelope[Any]) -> None:
        await enqueue(conn, "approval.requests.v1", envelope)  # type: ignore[arg-type]

    subscription = Subscription(COST_ITEMS, "approval", On(type(event.payload), handler))
    outcome = await EventConsumer(db, FakeProducer()).consume(subscription, record)

    assert outcome is Outcome.PROCESSED
    handled = named(spans, f"stack-7.{COST_ITEMS} process")
    assert handled.kind is SpanKind.CONSUMER
    assert handled.parent is not None
    assert (f"{handled.context.trace_id:032x}", f"{handled.parent.span_id:016x}") == (
        "ab" * 16,
        "cd" * 8,
    )
    assert handled.attributes is not None
    assert handled.attributes["countersign.subject_id"] == "item-1"
    assert handled.attributes["messaging.kafka.offset"] == 17
    assert staged_headers(db)["traceparent"] == traceparent_of(handled)


# Logs and attributes ----------------------------------------------------------------------------


def test_log_lines_inside_a_span_carry_its_trace_and_span_ids(
    spans: InMemorySpanExporter,
) -> None:
    record = logging.makeLogRecord({"msg": "stored", "levelname": "INFO"})
    with tracing.span("work") as current:
        line = json.loads(JsonFormatter("ingest").format(record))
    outside = json.loads(JsonFormatter("ingest").format(record))

    context = current.get_span_context()
    assert (line["trace_id"], line["span_id"]) == (
        f"{context.trace_id:032x}",
        f"{context.span_id:016x}",
    )
    assert "trace_id" not in outside


def test_only_identifiers_of_the_log_context_become_span_attributes(
    spans: InMemorySpanExporter,
) -> None:
    with (
        tracing.span("work"),
        log_context(organisation_id="org-1", publication_id="p-2", dlq_error="total 41.88"),
        tracing.span("step"),
    ):
        pass

    for name in ("work", "step"):
        attributes = named(spans, name).attributes
        assert attributes is not None
        assert attributes["countersign.organisation_id"] == "org-1"
        assert attributes["countersign.publication_id"] == "p-2"
        assert not any("41.88" in str(value) for value in attributes.values())


# HTTP, in and out --------------------------------------------------------------------------------


def traced_app() -> FastAPI:
    app = FastAPI()

    @app.get("/v1/items/{item_id}")
    async def item(item_id: str) -> dict[str, str]:
        return {"item_id": item_id}

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(RequestTracing)
    return app


async def test_a_request_continues_the_callers_trace_named_by_its_route_not_its_path(
    spans: InMemorySpanExporter,
) -> None:
    upstream = "00-" + "12" * 16 + "-" + "34" * 8 + "-01"
    transport = httpx.ASGITransport(app=traced_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        answered = await client.get("/v1/items/inv-7?sig=abc", headers={"traceparent": upstream})
        await client.get("/health/live")

    assert answered.status_code == 200
    [server] = spans.get_finished_spans()  # the probe made none
    assert server.name == "GET /v1/items/{item_id}"
    assert server.kind is SpanKind.SERVER
    assert server.parent is not None
    assert (f"{server.context.trace_id:032x}", f"{server.parent.span_id:016x}") == (
        "12" * 16,
        "34" * 8,
    )
    attributes = dict(server.attributes or {})
    assert attributes["http.route"] == "/v1/items/{item_id}"
    assert attributes["http.response.status_code"] == 200
    assert not any("inv-7" in str(v) or "abc" in str(v) for v in attributes.values())


async def test_an_httpx_call_with_the_hook_carries_the_current_spans_context(
    spans: InMemorySpanExporter,
) -> None:
    received: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        received.append(request.headers.get("traceparent"))
        return httpx.Response(204)

    hooks = {"request": [tracing.carry_context]}
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(answer), event_hooks=hooks
    ) as client:
        with tracing.span("GET /requests") as page:
            await client.get("http://approval/v1/requests")
        await client.get("http://approval/v1/requests")

    assert received == [traceparent_of(page), None]
