"""JSON Schemas of every event, one file per topic and event type, and the check that keeps the
committed files in step with the models without breaking a published major version.

Each file describes the whole message value (envelope + that payload) as consumers should read
it: object schemas are left open (no `additionalProperties: false`, although our producers
never add unknown fields) so that an event of a later minor version still validates against
the schema a consumer pinned.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from countersign_contracts._codec import envelope_type
from countersign_contracts._compat import Breaking, breaking_changes
from countersign_contracts._topics import TOPICS

DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False  # "Unit Amount" next to unit_amount adds noise, not meaning


def event_schemas() -> dict[str, dict[str, Any]]:
    """Every event's schema, by path relative to the schemas directory:
    `<topic>/<EventType>.json`."""
    schemas: dict[str, dict[str, Any]] = {}
    for topic in TOPICS.values():
        for event_type, payload_type in topic.event_types.items():
            schema = envelope_type(payload_type).model_json_schema(schema_generator=_Generator)
            _open_objects(schema)
            properties = schema["properties"]
            properties["event_type"]["const"] = event_type
            properties["schema_version"]["pattern"] = rf"^{topic.major}\.\d+$"
            schema["$schema"] = DIALECT
            schema["title"] = f"{event_type} on {topic.name}"
            schema["description"] = (
                f"{payload_type.__doc__ or event_type}\n\n"
                f"Topic {topic.name}, version {topic.version}; Kafka key = subject_id = "
                f"payload.{topic.subject_field} ({topic.aggregate})."
            )
            schema["x-topic"] = topic.name
            schema["x-schema-version"] = topic.version
            schemas[f"{topic.name}/{event_type}.json"] = schema
    return schemas


def _open_objects(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]
        for value in node.values():
            _open_objects(value)
    elif isinstance(node, list):
        for value in node:
            _open_objects(value)


def render(schema: Mapping[str, Any]) -> str:
    """The committed text of a schema: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_schemas(directory: Path) -> dict[str, dict[str, Any]]:
    """The committed schemas, by relative path."""
    return {
        path.relative_to(directory).as_posix(): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*/*.json"))
    }


@dataclass
class SchemaDiff:
    """How the models' schemas differ from the committed ones."""

    breaking: list[tuple[str, Breaking]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return not (self.breaking or self.added or self.changed or self.removed)


def diff_schemas(
    committed: Mapping[str, Mapping[str, Any]], current: Mapping[str, Mapping[str, Any]]
) -> SchemaDiff:
    diff = SchemaDiff()
    for path in sorted(committed.keys() - current.keys()):
        diff.removed.append(path)
        diff.breaking.append(
            (path, Breaking("$", "event_type_removed", "no model publishes this event type"))
        )
    for path in sorted(current.keys() - committed.keys()):
        diff.added.append(path)
    for path in sorted(committed.keys() & current.keys()):
        if render(committed[path]) == render(current[path]):
            continue
        diff.changed.append(path)
        diff.breaking.extend((path, b) for b in breaking_changes(committed[path], current[path]))
    return diff


def write_schemas(directory: Path, schemas: Mapping[str, Mapping[str, Any]]) -> None:
    """Write `schemas` and delete committed files that no longer have a model."""
    for stale in set(load_schemas(directory) if directory.exists() else ()) - schemas.keys():
        (directory / stale).unlink()
    for relative, schema in schemas.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(schema), encoding="utf-8")
