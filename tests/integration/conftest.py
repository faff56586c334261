"""A miniature service built with the same plumbing as the real ones, on its own schema and
topic prefix: what the integration tests below drive through the real broker and database."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from countersign_contracts import COST_ITEMS, CostItemSubmitted, Envelope
from countersign_dext_sandbox.client import DextClient
from countersign_harness.infra import Infrastructure
from countersign_harness.ingest import RunningIngest, new_secret, running_ingest
from countersign_harness.notifier import GrantDesk, grant_desk
from countersign_harness.notifier_samples import ANN, BOB, DAN
from countersign_mail_sandbox.harness import Served, serve
from countersign_platform.runtime import Runtime
from countersign_platform.service import build_app
from countersign_platform.settings import ServiceSettings
from countersign_platform.spec import ServiceSpec
from countersign_platform.subscription import EventHandler, On, Subscription

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "migrations"


async def record_seen(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    await conn.execute(
        "INSERT INTO seen (event_id, subject_id) VALUES ($1, $2)",
        envelope.event_id,
        envelope.subject_id,
    )


def probe_settings(infra: Infrastructure, isolation: str, **overrides: Any) -> ServiceSettings:
    return ServiceSettings(
        database_url=infra.database_url_for("probe"),
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        kafka_topic_prefix=f"{isolation}.",
        db_schema=isolation,
        consumer_retry_backoff_s=0.01,
        relay_poll_interval_s=0.2,
        **overrides,
    )


@pytest.fixture(scope="module")
async def ingest(infra: Infrastructure) -> AsyncIterator[RunningIngest]:
    """One ingest per test module (starting one costs a consumer-group rebalance); every test
    has its own organisation and looks only at that organisation's rows and events."""
    async with running_ingest(infra, "t" + uuid.uuid4().hex[:10]) as running:
        yield running


@pytest.fixture
async def dext(ingest: RunningIngest) -> AsyncIterator[DextClient]:
    """A Dext client for a fresh organisation registered with the module's ingest."""
    organisation_id, secret = uuid.uuid4(), new_secret()
    assert (await ingest.register_secret(organisation_id, secret)).status_code == 201
    async with ingest.dext(organisation_id, secret) as client:
        yield client


ServiceRunner = Callable[..., contextlib.AbstractAsyncContextManager[Runtime]]


@pytest.fixture
def run_probe_service(infra: Infrastructure, isolation: str) -> ServiceRunner:
    """Starts the probe service (schema and topic prefix ``isolation``) for the block."""

    @contextlib.asynccontextmanager
    async def run(handler: EventHandler = record_seen, **overrides: Any) -> AsyncIterator[Runtime]:
        spec = ServiceSpec(
            name="probe",
            description="integration-test service",
            migrations=MIGRATIONS,
            consumes=(Subscription(COST_ITEMS, "probe", On(CostItemSubmitted, handler)),),
            produces=(COST_ITEMS,),
        )
        app = build_app(spec, probe_settings(infra, isolation, **overrides))
        async with app.router.lifespan_context(app):
            yield app.state.runtime

    return run


# The notifier's tests: a mail sandbox on loopback, and a stand-in for approval's grant desk
# (Ann and Bob awaited at step 0, Dan at step 1).
@pytest.fixture
def mail() -> Iterator[Served]:
    with serve() as served:
        yield served


@pytest.fixture
async def desk() -> AsyncIterator[GrantDesk]:
    async with grant_desk() as running:
        running.awaited = {ANN.user_id: 0, BOB.user_id: 0, DAN.user_id: 1}  # type: ignore[dict-item]
        yield running
