"""Ingest running in the test process on the real broker and database (its own schema and
topic prefix), reached over ASGI by the Dext sandbox's client, plus what the ingest tests check
afterwards: rows in its tables and outbox, records on its topics."""

from __future__ import annotations

import base64
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from countersign_dext_sandbox.client import DextClient
from countersign_harness.infra import Infrastructure
from countersign_ingest.app import create_app
from countersign_ingest.settings import IngestSettings
from countersign_platform.runtime import Runtime

ADMIN_TOKEN = "operator-token-for-tests"
LINK_SECRET = "document-link-secret-for-tests"
ENCRYPTION_KEYS = "k1:" + base64.b64encode(os.urandom(32)).decode()
# The tables a refused call must leave untouched.
STATE_TABLES = ("items", "item_versions", "documents", "outbox", "suppliers", "seen_signatures")


def ingest_settings(infra: Infrastructure, isolation: str, **overrides: Any) -> IngestSettings:
    return IngestSettings(
        database_url=infra.database_url_for("ingest"),
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        kafka_topic_prefix=f"{isolation}.",
        db_schema=isolation,
        relay_poll_interval_s=0.2,
        consumer_retry_backoff_s=0.01,
        admin_token=ADMIN_TOKEN,
        encryption_keys=ENCRYPTION_KEYS,
        document_link_secret=LINK_SECRET,
        **overrides,
    )


@dataclass
class RunningIngest:
    runtime: Runtime[Any]
    transport: httpx.AsyncBaseTransport
    schema: str
    topic_prefix: str
    base_url: str = "http://ingest.test"

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, base_url=self.base_url, timeout=30)

    def dext(self, organisation_id: uuid.UUID, secret: str) -> DextClient:
        return DextClient(self.base_url, organisation_id, secret, transport=self.transport)

    async def register_secret(self, organisation_id: uuid.UUID, secret: str) -> httpx.Response:
        async with self.http() as http:
            return await http.put(
                f"/v1/operator/organisations/{organisation_id}/dext-secret",
                json={"secret": secret},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )

    async def counts(self, organisation_id: uuid.UUID | None = None) -> dict[str, int]:
        """Rows per table, of one organisation when given (outbox rows by their envelope)."""
        async with self.runtime.pool.acquire() as conn:
            found = {}
            for table in STATE_TABLES:
                column = (
                    "(payload->>'organisation_id')::uuid"
                    if table == "outbox"
                    else ("organisation_id")
                )
                found[table] = await conn.fetchval(
                    f"SELECT count(*) FROM {table} WHERE $1::uuid IS NULL OR {column} = $1",
                    organisation_id,
                )
            return found

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self.runtime.pool.acquire() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
            return rows


@contextlib.asynccontextmanager
async def running_ingest(
    infra: Infrastructure, isolation: str, **overrides: Any
) -> AsyncIterator[RunningIngest]:
    app = create_app(ingest_settings(infra, isolation, **overrides))
    async with app.router.lifespan_context(app):
        yield RunningIngest(
            runtime=app.state.runtime,
            transport=httpx.ASGITransport(app=app),
            schema=isolation,
            topic_prefix=f"{isolation}.",
        )


def new_secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()
