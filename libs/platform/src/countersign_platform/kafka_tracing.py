"""The spans of a Kafka hop (tracing.py, ADR 0059): the relay's "publish" span per record sent,
continuing the trace its outbox row was written in and named by the record's ``traceparent``;
the consumer's "process" span per record handled, continuing that header's trace. Attributes:
the messaging basics and the envelope's ids, never the payload."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING

from opentelemetry.trace import Span

from countersign_platform.tracing import SpanKind, context_of, record_context, span, start_span

if TYPE_CHECKING:
    from countersign_platform.consumer import ConsumedRecord

__all__ = ["processing", "publishing"]


def publishing(topic: str, headers: MutableMapping[str, str]) -> Span:
    """Starts the span that sends a record with ``headers`` (an outbox row's, its writer's
    context in ``traceparent``) and puts its own context into them in place."""
    sending = start_span(
        f"{topic} publish",
        kind=SpanKind.PRODUCER,
        parent=context_of(headers),
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": topic,
            "messaging.message.id": headers.get("ce_id"),
            "countersign.event_type": headers.get("ce_type"),
            "countersign.organisation_id": headers.get("organisation_id"),
            "countersign.subject_id": headers.get("ce_subject"),
            "countersign.correlation_id": headers.get("correlation_id"),
        },
    )
    record_context(headers, within=sending)
    return sending


@contextlib.contextmanager
def processing(record: ConsumedRecord, group: str) -> Iterator[Span]:
    """The span a consumed record is handled in (current inside the block); what its handler
    writes to the outbox carries this span's context on."""
    with span(
        f"{record.topic} process",
        kind=SpanKind.CONSUMER,
        parent=context_of(record.headers),
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": record.topic,
            "messaging.destination.partition.id": str(record.partition),
            "messaging.kafka.offset": record.offset,
            "messaging.consumer.group.name": group,
        },
    ) as handling:
        yield handling
