"""The publisher in-process on its own schema and topic prefix, for integration tests and the
benchmark, with the settings that point it at a Xero sandbox process (and, given one, a QBO
sandbox process) and a document server."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
from countersign_contracts import RequestAuthorised
from countersign_harness import qbo_process
from countersign_harness.qbo_process import QboSandbox
from countersign_harness.xero_process import CLIENT_ID, CLIENT_SECRET, XeroSandbox
from countersign_platform.runtime import Runtime
from countersign_publisher.app import create_app
from countersign_publisher.components import Components
from countersign_publisher.db.publications import Publications
from countersign_publisher.settings import PublisherSettings
from fastapi import FastAPI

__all__ = [
    "ADMIN_TOKEN",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "DOCUMENT_SECRET",
    "ENCRYPTION_KEYS",
    "RunningPublisher",
    "publisher_settings",
    "qbo_settings",
    "running_publisher",
]

ADMIN_TOKEN = "operator-token-for-tests"
DOCUMENT_SECRET = "document-link-secret-for-tests"
ENCRYPTION_KEYS = "k1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="  # 32 bytes, base64


def publisher_settings(
    database_url: str,
    bootstrap: str,
    isolation: str,
    sandbox: XeroSandbox | None,
    documents_url: str,
    **overrides: Any,
) -> PublisherSettings:
    """The publisher's settings for a test or benchmark; ``sandbox``: the Xero sandbox it
    publishes to (None: a run without Xero, its defaults stand)."""
    xero = {} if sandbox is None else {"xero_api_url": sandbox.api_url,
                                       "xero_identity_url": sandbox.root}  # fmt: skip
    values: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": bootstrap,
        "kafka_topic_prefix": f"{isolation}.",
        "db_schema": f"{isolation}_publisher",
        "relay_poll_interval_s": 0.2,
        "consumer_retry_backoff_s": 0.01,
        "admin_token": ADMIN_TOKEN,
        "encryption_keys": ENCRYPTION_KEYS,
        "document_link_secret": DOCUMENT_SECRET,
        **xero,
        "xero_client_id": CLIENT_ID,
        "xero_client_secret": CLIENT_SECRET,
        "ingest_url": documents_url,
        "worker_poll_interval_s": 0.2,
        "worker_backoff_s": 0.05,
        "worker_lease_s": 0.5,
        **overrides,
    }
    return PublisherSettings(**values)


def qbo_settings(sandbox: QboSandbox, redirect_uri: str | None = None) -> dict[str, Any]:
    """The publisher's QBO settings for a QBO sandbox process (overrides for
    ``publisher_settings``); its app is registered there with ``redirect_uri`` when given."""
    if redirect_uri is not None:
        sandbox.register_app([redirect_uri])
    return {
        "qbo_api_url": sandbox.root,
        "qbo_discovery_url": sandbox.discovery_url,
        "qbo_client_id": qbo_process.CLIENT_ID,
        "qbo_client_secret": qbo_process.CLIENT_SECRET,
        "qbo_redirect_uri": redirect_uri,
    }


class RunningPublisher:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.runtime: Runtime[Components] = app.state.runtime
        self.parts: Components = self.runtime.parts
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://publisher",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )

    async def connect(
        self, organisation_id: UUID, sandbox: XeroSandbox, tenant_id: str
    ) -> dict[str, Any]:
        tokens = sandbox.mint_tokens(tenant_id)
        return await self._import(organisation_id, "xero", tokens, tenant_id=tenant_id)

    async def connect_qbo(
        self, organisation_id: UUID, sandbox: QboSandbox, realm_id: str
    ) -> dict[str, Any]:
        """Connects the organisation to a QBO company with tokens minted for it."""
        tokens = sandbox.mint_tokens(realm_id)
        return await self._import(organisation_id, "qbo", tokens, realm_id=realm_id)

    async def _import(
        self, organisation_id: UUID, ledger: str, tokens: dict[str, Any], **which: str
    ) -> dict[str, Any]:
        """The operator's import of a token set (``PUT …/{ledger}-connection``)."""
        response = await self.http.put(
            f"/v1/organisations/{organisation_id}/{ledger}-connection",
            json={
                **{k: tokens[k] for k in ("access_token", "refresh_token", "expires_in")},
                **which,
            },
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def stage_bill(self, organisation_id: UUID, request: RequestAuthorised) -> None:
        """Records a bill publication job directly, as the consumer would, without Kafka."""
        async with self.runtime.pool.acquire() as conn:
            await Publications(conn).add(
                uuid.uuid4(),
                organisation_id,
                "bill",
                request.request_id,
                request.dext_item_id,
                request.item_version,
                request.model_dump_json(),
                uuid.uuid4(),
                uuid.uuid4(),
            )

    async def publications(self, organisation_id: UUID, dext_item_id: str) -> list[dict[str, Any]]:
        response = await self.http.get(
            f"/v1/organisations/{organisation_id}/publications",
            params={"dext_item_id": dext_item_id},
        )
        body: list[dict[str, Any]] = response.json()
        return body


@contextlib.asynccontextmanager
async def running_publisher(settings: PublisherSettings) -> AsyncIterator[RunningPublisher]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        running = RunningPublisher(app)
        try:
            yield running
        finally:
            await running.http.aclose()


def new_org() -> UUID:
    return uuid.uuid4()
