"""Trace context on the real broker, database and HTTP (ADR 0059): a row written in a span is
sent by the relay in a span continuing it, its Kafka record names that span, the consumer
handles it in a span continuing the record's, and the handler's statements are spans inside;
an outbound call carries its span's traceparent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from countersign_contracts import COST_ITEMS, Envelope
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import read_until
from countersign_harness.samples import cost_item_submitted
from countersign_harness.waiting import eventually
from countersign_platform import tracing
from countersign_platform.outbound import OutboundHttp
from countersign_platform.outbox import enqueue
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.integration.conftest import ServiceRunner, record_seen

pytestmark = pytest.mark.integration


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with tracing.traced_by(provider):
        yield exporter
    provider.shutdown()


def ids(span: trace.Span | ReadableSpan) -> tuple[str, str]:
    context = span.get_span_context()
    assert context is not None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"


def parent_of(span: ReadableSpan) -> str:
    assert span.parent is not None
    return f"{span.parent.span_id:016x}"


async def test_a_rows_trace_runs_through_the_relay_kafka_and_the_consumer(
    infra: Infrastructure,
    isolation: str,
    run_probe_service: ServiceRunner,
    spans: InMemorySpanExporter,
) -> None:
    handled_in: list[tuple[str, str]] = []

    async def handler(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
        handled_in.append(ids(trace.get_current_span()))
        await record_seen(conn, envelope)

    event = cost_item_submitted(uuid.uuid4(), "traced-item")
    async with run_probe_service(handler) as service:
        with tracing.span("POST /v1/probe", kind=SpanKind.SERVER) as request:
            async with service.pool.acquire() as conn, conn.transaction():
                await enqueue(conn, COST_ITEMS, event)
        await eventually(lambda: _async(handled_in), bool)
        [record] = await read_until(
            infra.kafka_bootstrap_servers, f"{isolation}.{COST_ITEMS}", lambda r: len(r) >= 1
        )

    trace_id, request_id = ids(request)
    finished = spans.get_finished_spans()
    [sent] = [s for s in finished if s.kind is SpanKind.PRODUCER]
    [consumed] = [s for s in finished if s.kind is SpanKind.CONSUMER]
    header = dict(record.headers)["traceparent"].decode()
    assert header.split("-")[1:3] == list(ids(sent))
    assert (ids(sent)[0], parent_of(sent)) == (trace_id, request_id)
    assert (ids(consumed)[0], parent_of(consumed)) == (trace_id, ids(sent)[1])
    assert handled_in == [ids(consumed)]
    [transaction] = [
        s for s in finished if s.parent and parent_of(s) == ids(consumed)[1]
    ]  # the inbox row and the handler's insert: one transaction, one span
    assert transaction.name == "transaction"
    attributes = dict(transaction.attributes or {})
    assert attributes["db.system.name"] == "postgresql"
    assert (attributes["db.transaction.statements"], attributes["db.transaction.outcome"]) == (
        2,
        "commit",
    )


async def _async(value: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return value


async def test_an_outbound_call_carries_its_spans_traceparent_and_no_url(
    spans: InMemorySpanExporter,
) -> None:
    seen: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(request.headers.get("traceparent", ""))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_put("/api.xro/2.0/Invoices", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    http = OutboundHttp(timeout_s=5)
    try:
        with tracing.span("publication create_bill batch") as batch:
            response = await http.request(
                "PUT",
                f"http://127.0.0.1:{port}/api.xro/2.0/Invoices?signature=s3cret",
                json={"Invoices": []},
                headers={"Authorization": "Bearer t0ken"},
                operation="Xero PUT /Invoices",
            )
    finally:
        await http.aclose()
        await runner.cleanup()

    assert response.status_code == 200
    [call] = [s for s in spans.get_finished_spans() if s.name == "Xero PUT /Invoices"]
    assert call.kind is SpanKind.CLIENT
    assert (ids(call)[0], parent_of(call)) == (ids(batch)[0], ids(batch)[1])
    assert [value.split("-")[1:3] for value in seen] == [list(ids(call))]
    attributes = dict(call.attributes or {})
    assert attributes["http.response.status_code"] == 200
    assert not any(
        word in str(value) for value in attributes.values() for word in ("s3cret", "t0ken", "/api")
    )
