"""AsyncAPI 3.0 documents for each service, built from what the service subscribes to and
produces (its ``ServiceSpec``) and the contract registry, so they cannot drift from the code.

    python -m countersign_platform.asyncapi generate docs/asyncapi   # write <service>.json
    python -m countersign_platform.asyncapi check docs/asyncapi      # exit 1 when out of date

Message payloads reference the committed JSON Schemas in ``libs/contracts/schemas`` (relative
to the document), the single source of every event's shape.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from countersign_contracts import TOPICS

from countersign_platform.spec import ServiceSpec, installed_services

__all__ = ["document", "main"]

SCHEMAS_FROM_DOCS = "../../libs/contracts/schemas"
HEADERS = {
    "type": "object",
    "description": "CloudEvents Kafka binding headers mirroring the envelope",
    "properties": {
        name: {"type": "string", "description": description}
        for name, description in {
            "ce_specversion": "always 1.0",
            "ce_id": "envelope event_id",
            "ce_type": "envelope event_type",
            "ce_source": "envelope producer",
            "ce_time": "envelope occurred_at",
            "ce_subject": "envelope subject_id (also the key)",
            "organisation_id": "envelope organisation_id",
            "correlation_id": "envelope correlation_id",
            "traceparent": (
                "W3C trace context: the producer's span when tracing is on; otherwise"
                " trace = correlation_id, span = event_id. Read correlation_id for the journey"
            ),
        }.items()
    },
}


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_").replace("-", "_")


def _message(topic_name: str, event_type: str) -> dict[str, Any]:
    payload_type = TOPICS[topic_name].event_types[event_type]
    return {
        "name": event_type,
        "title": event_type,
        "summary": (payload_type.__doc__ or event_type).split("\n\n")[0].strip(),
        "contentType": "application/json",
        "headers": HEADERS,
        "payload": {"$ref": f"{SCHEMAS_FROM_DOCS}/{topic_name}/{event_type}.json"},
    }


class _Document:
    """The channels, operations and messages of one service's document, as they are added."""

    def __init__(self) -> None:
        self.channels: dict[str, Any] = {}
        self.operations: dict[str, Any] = {}
        self.messages: dict[str, Any] = {}

    def channel(self, topic_name: str, event_types: Sequence[str]) -> dict[str, Any]:
        """The operation's channel and message references, the channel made when new."""
        topic = TOPICS[topic_name]
        channel_id = _channel_id(topic_name)
        entry = self.channels.setdefault(
            channel_id,
            {
                "address": topic_name,
                "description": f"Kafka key = subject_id = payload.{topic.subject_field}"
                f" ({topic.aggregate}); contract version {topic.version}",
                "messages": {},
            },
        )
        for event_type in event_types:
            self.messages[event_type] = _message(topic_name, event_type)
            entry["messages"][event_type] = {"$ref": f"#/components/messages/{event_type}"}
        return {
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{e}"} for e in event_types],
        }


def document(spec: ServiceSpec) -> dict[str, Any]:
    doc = _Document()
    for topic_name in spec.produces:
        doc.operations[f"send_{_channel_id(topic_name)}"] = {
            "action": "send",
            "summary": f"{spec.name} publishes through its transactional outbox",
            **doc.channel(topic_name, sorted(TOPICS[topic_name].event_types)),
        }
    for subscription in spec.consumes:
        doc.operations[f"receive_{_channel_id(subscription.topic)}"] = {
            "action": "receive",
            "summary": f"consumer group {subscription.group}; failures go to"
            f" {subscription.topic}.dlq.{subscription.group}",
            **doc.channel(subscription.topic, sorted(subscription.handlers)),
            "bindings": {"kafka": {"groupId": {"type": "string", "enum": [subscription.group]}}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": f"Countersign {spec.name}",
            "version": "1.0.0",
            "description": spec.description,
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "set with KAFKA_BOOTSTRAP_SERVERS",
            }
        },
        "channels": dict(sorted(doc.channels.items())),
        "operations": dict(sorted(doc.operations.items())),
        "components": {"messages": dict(sorted(doc.messages.items()))},
    }


def _render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="countersign-asyncapi", description=__doc__)
    parser.add_argument("action", choices=["generate", "check"])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    stale = []
    for name, spec in installed_services().items():
        path = args.directory / f"{name}.json"
        rendered = _render(document(spec))
        if args.action == "generate":
            args.directory.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered)
            print(f"wrote {path}")
        elif not path.exists() or path.read_text() != rendered:
            stale.append(str(path))
    if stale:
        print(f"AsyncAPI documents out of date: {', '.join(stale)}; run `make asyncapi`")
        return 1
    if args.action == "check":
        print("AsyncAPI documents up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
