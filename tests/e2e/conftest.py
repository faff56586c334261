"""The journeys' fixtures: a pipeline (ingest, approval and publisher as separate processes,
with the Dext and Xero sandboxes) shared by the modules that can share one, or one per module;
one organisation per test with Ann as approver."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from countersign_harness import chromium as chromium_binaries
from countersign_harness.infra import Infrastructure
from countersign_harness.organisation import Organisation
from countersign_harness.otlp_receiver import OtlpReceiver
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from selenium.webdriver import Chrome

from tests.conftest import unavailable
from tests.e2e.journeys import PEOPLE, WORKFLOW

SHARED_WORKFLOW_HOUR_S = 1.0


@pytest.fixture(scope="session")
def shared_pipeline(
    infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """One pipeline, the people's side included, for every module that sets ``SHARED_PIPELINE =
    True``: their tests each use organisations of their own and change nothing the others see
    (no Xero faults, no sandbox clock, no process stopped), so they need not pay ten processes'
    start each. A workflow hour lasts a second here (``SHARED_WORKFLOW_HOUR_S``): a step
    deadline and its escalation pass while a test watches; a module whose workflows have no
    deadlines sees no difference. Its services export their traces to an in-memory receiver
    (``pipeline.traces``), for the trace test."""
    isolation = "s" + uuid.uuid4().hex[:10]
    logs = tmp_path_factory.mktemp("shared")
    with (
        OtlpReceiver() as traces,
        Pipeline(
            infra,
            isolation,
            logs,
            people=True,
            workflow_hour_s=SHARED_WORKFLOW_HOUR_S,
            traces=traces,
        ) as running,
    ):
        yield running


@pytest.fixture(scope="module", name="pipeline")
def pipeline_fixture(
    infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Pipeline]:
    """The shared pipeline for a module that sets ``SHARED_PIPELINE = True``; otherwise one of
    its own (with the people's side — mail sandbox, web app, notifier — when it sets
    ``PIPELINE_WITH_PEOPLE = True``)."""
    if getattr(request.module, "SHARED_PIPELINE", False):
        yield request.getfixturevalue("shared_pipeline")
        return
    isolation = "j" + uuid.uuid4().hex[:10]
    people = bool(getattr(request.module, "PIPELINE_WITH_PEOPLE", False))
    logs = tmp_path_factory.mktemp("pipeline")
    with Pipeline(infra, isolation, logs, people=people) as running:
        yield running


@pytest.fixture
def xero_webhook(pipeline: Pipeline) -> Iterator[None]:
    """The publisher's webhook registered with the pipeline's Xero sandbox for this test only
    (a shared pipeline's other tests see no webhook traffic)."""
    with pipeline.xero_webhook():
        yield


@pytest.fixture
def qbo_webhook(pipeline: Pipeline) -> Iterator[None]:
    """The publisher's webhook registered with the pipeline's QBO sandbox for this test only."""
    with pipeline.qbo_webhook():
        yield


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
