"""The publisher's integration fixtures: the Xero sandbox as a process (one per module), a
document server speaking ingest's signed-link route, and settings for an in-process publisher
on the test's own schema and prefix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import DOCUMENT_SECRET, publisher_settings
from countersign_harness.xero_process import XeroSandbox
from countersign_publisher.settings import PublisherSettings

from tests.support.sandbox_fixture import sandbox_for_module


@pytest.fixture(scope="module")
def xero_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XeroSandbox]:
    yield from sandbox_for_module(XeroSandbox, tmp_path_factory)


@pytest.fixture
def documents() -> Iterator[DocumentServer]:
    with DocumentServer(DOCUMENT_SECRET) as server:
        yield server


@pytest.fixture
def settings_for(
    infra: Infrastructure, isolation: str, xero_sandbox: XeroSandbox, documents: DocumentServer
) -> Any:
    def build(**overrides: Any) -> PublisherSettings:
        return publisher_settings(
            infra.database_url_for("publisher"),
            infra.kafka_bootstrap_servers,
            isolation,
            xero_sandbox,
            documents.url,
            **overrides,
        )

    return build
