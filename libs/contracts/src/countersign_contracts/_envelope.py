"""The envelope every event travels in, and its Kafka headers.

The message value is the envelope as compact JSON (`encode`); the key is `subject_id`. Headers
repeat the identifiers under CloudEvents' Kafka binding names, so brokers, tools and tracing can
route and correlate without parsing the value.
"""

import os
import time
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import Field, SerializeAsAny, model_validator

from countersign_contracts._base import ContractModel, EventPayload
from countersign_contracts._money import UtcDatetime

SCHEMA_VERSION_PATTERN = r"^[1-9]\d*\.\d+$"

P = TypeVar("P", bound=EventPayload)


class Envelope(ContractModel, Generic[P]):
    """One event: who, what, when, and which journey it belongs to, around a typed payload."""

    event_id: UUID = Field(description="Unique, time-ordered (UUIDv7); consumers dedupe on it")
    event_type: str = Field(description="The payload's type, e.g. CostItemSubmitted")
    schema_version: str = Field(
        pattern=SCHEMA_VERSION_PATTERN,
        description="major.minor of the topic's contract; the major is in the topic name",
    )
    occurred_at: UtcDatetime = Field(description="When the fact happened, UTC")
    producer: str = Field(
        pattern=r"^[a-z][a-z0-9._/-]*$",
        max_length=100,
        description="The emitting service, e.g. ingest (CloudEvents source)",
    )
    organisation_id: UUID = Field(description="The Countersign organisation (tenant)")
    subject_id: str = Field(
        min_length=1, max_length=200, description="The aggregate's id; also the Kafka key"
    )
    correlation_id: UUID = Field(description="Shared by every event of one item's journey")
    causation_id: UUID | None = Field(
        description="event_id of the event that caused this one; null for an external cause"
    )
    payload: SerializeAsAny[P]

    @model_validator(mode="after")
    def _event_type_names_payload(self) -> "Envelope[P]":
        if isinstance(self.payload, EventPayload) and self.event_type != self.payload.event_type:
            raise ValueError(
                f"event_type {self.event_type!r} does not match the payload "
                f"{type(self.payload).__name__}"
            )
        return self


def new_event_id() -> UUID:
    """A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then 12 bits of sub-millisecond time (so
    ids from one process sort by creation time), then 62 random bits."""
    nanoseconds = time.time_ns()
    milliseconds, remainder = divmod(nanoseconds, 1_000_000)
    sub_millisecond = remainder * 4096 // 1_000_000
    random_bits = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (
        (milliseconds & ((1 << 48) - 1)) << 80
        | 0x7 << 76
        | sub_millisecond << 64
        | 0b10 << 62
        | random_bits
    )
    return UUID(int=value)


def traceparent(envelope: Envelope[Any]) -> str:
    """A W3C traceparent: the journey (correlation_id) is the trace, the event is the span."""
    trace_id = envelope.correlation_id.hex
    span_id = envelope.event_id.bytes[8:].hex()
    if int(trace_id, 16) == 0:  # all-zero ids are invalid in W3C Trace Context
        trace_id = envelope.event_id.hex
    if int(span_id, 16) == 0:
        span_id = envelope.event_id.bytes[:8].hex()
    return f"00-{trace_id}-{span_id}-01"


def kafka_headers(envelope: Envelope[Any]) -> dict[str, str]:
    """Kafka headers mirroring the envelope (CloudEvents Kafka binding names + traceparent)."""
    return {
        "ce_specversion": "1.0",
        "ce_id": str(envelope.event_id),
        "ce_type": envelope.event_type,
        "ce_source": envelope.producer,
        "ce_time": envelope.occurred_at.isoformat().replace("+00:00", "Z"),
        "ce_subject": envelope.subject_id,
        "content-type": "application/json",
        "organisation_id": str(envelope.organisation_id),
        "correlation_id": str(envelope.correlation_id),
        "traceparent": traceparent(envelope),
    }
