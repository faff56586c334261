"""JSON log lines carry the ids of the event being handled; secrets stay out of settings' repr."""

from __future__ import annotations

import json
import logging

from countersign_platform.settings import ServiceSettings
from countersign_platform.telemetry import JsonFormatter, log_context


def render(record: logging.LogRecord) -> dict[str, object]:
    parsed: dict[str, object] = json.loads(JsonFormatter("ingest").format(record))
    return parsed


def test_lines_inside_a_context_carry_organisation_subject_and_correlation() -> None:
    record = logging.makeLogRecord({"msg": "stored %s", "args": ("v2",), "levelname": "INFO"})
    with log_context(organisation_id="org-1", subject_id="item-9", correlation_id="c-3"):
        line = render(record)
    assert line["message"] == "stored v2"
    assert line["service"] == "ingest"
    assert (line["organisation_id"], line["subject_id"], line["correlation_id"]) == (
        "org-1",
        "item-9",
        "c-3",
    )


def test_context_ends_with_its_block() -> None:
    with log_context(subject_id="inner"):
        pass
    line = render(logging.makeLogRecord({"msg": "after"}))
    assert "subject_id" not in line


def test_database_password_never_appears_in_settings_repr() -> None:
    settings = ServiceSettings(
        database_url="postgresql://svc:hunter2@db:5432/countersign",
        kafka_bootstrap_servers="kafka:9092",
    )
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings.model_dump())
