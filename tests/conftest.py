"""Fixtures shared by the integration and e2e tests: the real broker and database, and an
isolated corner of each (a fresh schema, a fresh topic prefix) for every test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from countersign_harness.infra import Infrastructure, InfrastructureUnavailable, infrastructure


def unavailable(reason: str) -> None:
    """A missing service skips a local run and fails a CI one (``CI=true``)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and a service the tests need is missing: {reason}", pytrace=False)
    pytest.skip(f"a service the tests need is missing: {reason}")


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    try:
        with infrastructure() as found:
            yield found
    except InfrastructureUnavailable as missing:
        unavailable(str(missing))


@pytest.fixture
def isolation() -> str:
    """A short unique token: schemas and topic prefixes of one test never meet another's."""
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture
async def admin_db(infra: Infrastructure) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(infra.database_url)
    try:
        yield conn
    finally:
        await conn.close()


def pytest_report_header(config: pytest.Config) -> list[str]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "(found by the infra fixture)")
    database = os.environ.get("DATABASE_URL", "(found by the infra fixture)").split("@")[-1]
    mode = "a missing service FAILS the run" if os.environ.get("CI") == "true" else "local run"
    return [
        f"real Kafka: {kafka}; real Postgres: {database}; CI={os.environ.get('CI', '')}: {mode}"
    ]
