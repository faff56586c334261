"""The journeys' fixtures: one pipeline per module (ingest, approval and publisher as separate
processes, with the Dext and Xero sandboxes), one organisation per test with Ann as approver."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from countersign_harness import chromium as chromium_binaries
from countersign_harness.infra import Infrastructure
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from selenium.webdriver import Chrome

from tests.conftest import unavailable
from tests.e2e.journeys import PEOPLE, WORKFLOW


@pytest.fixture(scope="module", name="pipeline")
def pipeline_fixture(
    infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Pipeline]:
    """One pipeline per module; with the people's side (mail sandbox, web app, notifier) only
    for a module that sets ``PIPELINE_WITH_PEOPLE = True``: three processes fewer to start."""
    isolation = "j" + uuid.uuid4().hex[:10]
    people = bool(getattr(request.module, "PIPELINE_WITH_PEOPLE", False))
    logs = tmp_path_factory.mktemp("pipeline")
    with Pipeline(infra, isolation, logs, people=people) as running:
        yield running


@pytest.fixture(name="org")
async def organisation_fixture(pipeline: Pipeline) -> Organisation:
    return await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Chrome]:
    """Debian's Chromium, headless, with an empty profile (scripts/browser.sh installs it)."""
    if not chromium_binaries.available():
        unavailable(
            f"Chromium and ChromeDriver ({chromium_binaries.CHROMIUM},"
            f" {chromium_binaries.CHROMEDRIVER}): run scripts/browser.sh"
        )
    with chromium_binaries.headless_chromium(tmp_path / "profile") as browser:
        yield browser
