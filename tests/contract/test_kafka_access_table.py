"""The Helm chart's Strimzi resources grant what the services' specs say (ADR 0063): its
files/kafka-access.json is what ``countersign-topics --access-table`` prints from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from countersign_platform.kafka_acls import access_table
from countersign_platform.spec import installed_services

pytestmark = pytest.mark.unit

TABLE = Path(__file__).resolve().parents[2] / "deploy/helm/countersign/files/kafka-access.json"


def test_the_charts_kafka_access_table_is_current() -> None:
    current = access_table(installed_services().values())
    assert json.loads(TABLE.read_text()) == current, (
        "regenerate it: .venv/bin/countersign-topics --bootstrap - --access-table "
        "> deploy/helm/countersign/files/kafka-access.json"
    )


def test_no_service_may_write_a_topic_another_service_owns() -> None:
    table = access_table(installed_services().values())
    owners: dict[str, list[str]] = {}
    for name, may in table["services"].items():
        for topic in may["writes"]:
            owners.setdefault(topic, []).append(name)
    assert {topic: names for topic, names in owners.items() if len(names) > 1} == {}
