"""A secret set to an empty value (``COUNTERSIGN_ADMIN_TOKEN=`` in an env file, a Kubernetes
secret key with nothing in it) is no secret: it must switch its feature off, exactly as leaving
it unset does, never become a credential everyone already holds."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from countersign_approval.app import create_app as create_approval
from countersign_approval.settings import ApprovalSettings
from countersign_harness.infra import Infrastructure
from countersign_ingest.app import create_app as create_ingest
from countersign_ingest.settings import IngestSettings
from countersign_platform.links import sign_document_link
from countersign_platform.settings import ServiceSettings
from countersign_publisher.settings import PublisherSettings
from fastapi import FastAPI

pytestmark = pytest.mark.integration

BLANK = {"admin_token": "", "document_link_secret": " ", "encryption_keys": ""}


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
            yield http


def infrastructure(infra: Infrastructure, isolation: str, service: str) -> dict[str, Any]:
    return {
        "database_url": infra.database_url_for(service),
        "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
        "kafka_topic_prefix": f"{isolation}.",
        "db_schema": isolation,
    }


@pytest.mark.parametrize("settings", [ServiceSettings, IngestSettings, PublisherSettings])
def test_a_blank_secret_reads_as_unset(settings: type[ServiceSettings]) -> None:
    read = settings(database_url="postgresql://unused", kafka_bootstrap_servers="-", **BLANK)
    assert (read.admin_token, read.document_link_secret, read.encryption_keys) == (None,) * 3


def test_blank_access_token_settings_read_as_unset() -> None:
    # A blank signing key would be a key anyone can sign with; a blank key-set URL one that
    # cannot be fetched. Both switch access tokens off instead.
    read = ApprovalSettings(
        database_url="postgresql://unused",
        kafka_bootstrap_servers="-",
        signing_keys=" ",
        access_jwks_url="",
    )
    assert (read.signing_keys, read.access_jwks_url) == (None, None)


async def test_a_blank_operator_token_opens_no_operator_endpoint(
    infra: Infrastructure, isolation: str
) -> None:
    org = uuid.uuid4()
    settings = ApprovalSettings(**infrastructure(infra, isolation, "approval"), **BLANK)
    async with serving(create_approval(settings)) as http:
        registered = await http.post(
            "/v1/organisations",
            json={
                "name": "Blank Ltd",
                "base_currency": "GBP",
                "timezone": "Europe/London",
                "admin": {"email": "ada@example.com", "name": "Ada"},
            },
        )
        patched = await http.patch(
            f"/v1/organisations/{org}", headers={"Authorization": "Bearer "}, json={"name": "X"}
        )
    assert (registered.status_code, patched.status_code) == (403, 403)
    assert registered.json()["type"].endswith("admin-disabled")


async def test_a_blank_link_secret_signs_and_opens_no_document_link(
    infra: Infrastructure, isolation: str
) -> None:
    document = uuid.uuid4()
    settings = IngestSettings(**infrastructure(infra, isolation, "ingest"), **BLANK)
    async with serving(create_ingest(settings)) as http:
        forged = await http.get(sign_document_link(b"", document))
        forged_blank = await http.get(sign_document_link(b" ", document))
        secret = await http.put(
            f"/v1/operator/organisations/{document}/dext-secret", json={"secret": "s" * 40}
        )
    assert (forged.status_code, forged_blank.status_code) == (503, 503)
    assert secret.status_code == 403
