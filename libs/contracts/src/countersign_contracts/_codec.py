"""Build, encode and decode envelopes.

Producers: `new_envelope(payload, ...)` then `encode(envelope)` for the value,
`envelope.subject_id` for the key and `kafka_headers(envelope)` for the headers.
Consumers: `decode(topic, value)` returns a typed envelope or raises `ContractViolation`, whose
`reason` says what a DLQ record or a log line needs to say.
"""

import json
import re
from datetime import UTC, datetime
from typing import Any, Literal, NoReturn, TypeVar, cast
from uuid import UUID

from pydantic import ValidationError

from countersign_contracts._base import TOLERANT, EventPayload
from countersign_contracts._envelope import Envelope, new_event_id
from countersign_contracts._topics import TOPICS, topic_for

ViolationReason = Literal[
    "not_json",
    "invalid_envelope",
    "unknown_event_type",
    "unsupported_version",
    "invalid_payload",
    "unknown_topic",
]

_VERSION = re.compile(r"^(\d+)\.(\d+)$")

P = TypeVar("P", bound=EventPayload)


class ContractViolation(Exception):
    """A message does not honour its topic's contract. `reason` is machine-readable;
    `detail` is for people."""

    def __init__(self, reason: ViolationReason, detail: str, *, topic: str) -> None:
        super().__init__(f"{reason} on {topic}: {detail}")
        self.reason: ViolationReason = reason
        self.detail = detail
        self.topic = topic


def envelope_type(payload_type: type[P]) -> type[Envelope[P]]:
    """The envelope class for one payload type (pydantic caches parametrised classes)."""
    return cast("type[Envelope[P]]", Envelope.__class_getitem__(payload_type))


def new_envelope(
    payload: P,
    *,
    organisation_id: UUID,
    correlation_id: UUID,
    producer: str,
    causation_id: UUID | None = None,
    occurred_at: datetime | None = None,
) -> Envelope[P]:
    """Wrap a payload for its topic: a new event_id, the event type, the topic's current schema
    version, and the payload's aggregate id as subject_id (the Kafka key)."""
    topic = topic_for(payload)
    return envelope_type(type(payload))(
        event_id=new_event_id(),
        event_type=payload.event_type,
        schema_version=topic.version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=producer,
        organisation_id=organisation_id,
        subject_id=str(getattr(payload, topic.subject_field)),
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=payload,
    )


def encode(envelope: Envelope[Any]) -> bytes:
    """The Kafka message value: compact JSON, amounts as exact decimal strings."""
    return envelope.model_dump_json().encode()


def decode(topic: str, raw: bytes | str) -> Envelope[Any]:
    """Decode a message from `topic` as a tolerant reader: fields added by a newer minor version
    are ignored, at every level. Raises `ContractViolation` when the message breaks the contract."""
    spec = TOPICS.get(topic)
    if spec is None:
        _violate("unknown_topic", f"no contract for topic {topic!r}", topic)
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, NaN/Infinity
        _violate("not_json", f"the value is not JSON: {error}", topic)
    if not isinstance(data, dict):
        _violate("invalid_envelope", f"expected a JSON object, got {type(data).__name__}", topic)

    version = data.get("schema_version")
    match = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if match is None:
        detail = f"schema_version must be 'major.minor', got {version!r}"
        _violate("invalid_envelope", detail, topic)
    if int(match.group(1)) != spec.major:
        _violate(
            "unsupported_version",
            f"schema_version {version} is not major version {spec.major} of {topic}",
            topic,
        )
    event_type = data.get("event_type")
    if not isinstance(event_type, str):
        _violate("invalid_envelope", f"event_type must be a string, got {event_type!r}", topic)
    payload_type = spec.event_types.get(event_type)
    if payload_type is None:
        known = ", ".join(spec.event_types)
        _violate("unknown_event_type", f"{event_type!r} is not one of {known}", topic)

    try:
        return envelope_type(payload_type).model_validate(data, context=TOLERANT)
    except ValidationError as error:
        in_payload = all(e["loc"][:1] == ("payload",) for e in error.errors())
        _violate(
            "invalid_payload" if in_payload else "invalid_envelope",
            f"{event_type}: {_describe(error)}",
            topic,
        )


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc']) or '(root)'}: {e['msg']}"
        for e in error.errors()
    )


def _violate(reason: ViolationReason, detail: str, topic: str) -> NoReturn:
    raise ContractViolation(reason, detail, topic=topic)
