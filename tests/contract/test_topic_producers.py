"""Each topic's producer in the contracts is the one service that declares it produces it
(ADR 0061): consumers dead-letter records from anyone else, so the two must never drift."""

from __future__ import annotations

from countersign_approval.settings import ApprovalSettings
from countersign_contracts import TOPICS
from countersign_ingest.settings import IngestSettings
from countersign_notifier.settings import NotifierSettings
from countersign_platform.spec import installed_services
from countersign_publisher.settings import PublisherSettings


def test_every_topic_is_produced_by_exactly_the_service_the_contracts_name() -> None:
    declared = {
        topic: name for name, spec in installed_services().items() for topic in spec.produces
    }

    assert declared == {name: topic.producer for name, topic in TOPICS.items()}


def test_every_service_database_variable_matches_its_settings_prefix() -> None:
    """countersign-migrate reads ``<spec.env_prefix>DATABASE_URL``; the service reads its own
    settings' prefix: one variable for both (ADR 0060)."""
    prefixes = {
        "ingest": IngestSettings,
        "approval": ApprovalSettings,
        "publisher": PublisherSettings,
        "notifier": NotifierSettings,
    }
    specs = installed_services()
    assert sorted(specs) == sorted(prefixes)
    for name, settings in prefixes.items():
        assert settings.model_config.get("env_prefix") == specs[name].env_prefix, name
