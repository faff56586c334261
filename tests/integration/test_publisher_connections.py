"""Connecting an organisation to Xero, token refresh across processes, and supplier sync."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from countersign_contracts import LEDGER_SUPPLIERS
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import read_until
from countersign_harness.publisher import (
    CLIENT_ID,
    CLIENT_SECRET,
    ENCRYPTION_KEYS,
    running_publisher,
)
from countersign_harness.publisher_samples import (
    authorised_request,
    document_bytes,
    sample_bill,
)
from countersign_harness.xero_process import XeroSandbox
from countersign_platform.outbound import OutboundHttp
from countersign_platform.sealing import Keyring
from countersign_publisher.adapters.tokens import LedgerTokens
from countersign_publisher.adapters.xero_errors import XeroAuthError
from countersign_publisher.adapters.xero_identity import XeroIdentity
from countersign_publisher.db.connections import Connections

pytestmark = pytest.mark.integration


async def test_an_authorization_code_connects_the_organisation_and_no_token_is_shown(
    settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    tenant = xero_sandbox.create_tenant(name="Code Grant Ltd")
    code = xero_sandbox.authorization_code(tenant["tenant_id"])
    org = uuid.uuid4()
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        connected = await publisher.http.put(
            f"/v1/organisations/{org}/xero-connection",
            json={"authorization_code": code, "tenant_id": tenant["tenant_id"]},
        )
        shown = await publisher.http.get(f"/v1/organisations/{org}/xero-connection")
        anonymous = await publisher.http.get(
            f"/v1/organisations/{org}/xero-connection", headers={"Authorization": ""}
        )
        async with publisher.runtime.pool.acquire() as conn:
            row = await Connections(conn).get(org)
    assert connected.status_code == 200, connected.text
    assert shown.json()["connected"] is True
    assert shown.json()["tenant_id"] == tenant["tenant_id"]
    assert shown.json()["ledger"] == "xero" and row is not None and row.ledger == "xero"
    assert anonymous.status_code == 401
    assert row is not None and row.access_token.startswith("v1.")
    assert row.access_token not in shown.text and 'token":' not in shown.text


async def test_two_processes_needing_a_refresh_refresh_the_token_set_once(
    settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    tenant = xero_sandbox.create_tenant(name="Refresh Ltd")
    org = uuid.uuid4()
    settings = settings_for(worker_enabled=False)
    async with running_publisher(settings) as publisher:
        await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        pool = publisher.runtime.pool
        await pool.execute("UPDATE xero_connections SET expires_at = now() - interval '1 minute'")
        before = await pool.fetchval("SELECT refresh_token FROM xero_connections")
        one, other = OutboundHttp(timeout_s=10), OutboundHttp(timeout_s=10)
        try:
            processes = [
                LedgerTokens(
                    pool,
                    Keyring.parse(ENCRYPTION_KEYS),
                    {
                        "xero": XeroIdentity(
                            http,
                            identity_url=xero_sandbox.root,
                            api_url=xero_sandbox.api_url,
                            client_id=CLIENT_ID,
                            client_secret=CLIENT_SECRET,
                        )
                    },
                )
                for http in (one, other)
            ]
            issued = await asyncio.gather(
                *(p.credentials(org) for p in processes for _ in range(5))
            )
            after = await pool.fetchval("SELECT refresh_token FROM xero_connections")
            usable = await one.get(
                f"{xero_sandbox.api_url}/Organisation",
                headers={
                    "Authorization": f"Bearer {issued[0].access_token}",
                    "xero-tenant-id": tenant["tenant_id"],
                },
            )
        finally:
            await one.aclose()
            await other.aclose()
    assert sum(p.refreshes for p in processes) == 1
    assert len({c.access_token for c in issued}) == 1
    assert after != before  # the rotated refresh token was stored
    assert usable.status_code == 200


async def test_supplier_sync_pages_through_contacts_and_reports_suppliers(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
) -> None:
    tenant = xero_sandbox.create_tenant(name="Many Contacts Ltd")
    for n in range(105):
        xero_sandbox.http.post(
            f"/_sandbox/tenants/{tenant['tenant_id']}/contacts", json={"Name": f"Contact {n}"}
        ).raise_for_status()
    bill = sample_bill("INV-S1")
    documents.add(bill.document.document_id, document_bytes("INV-S1"))
    org = uuid.uuid4()
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        request = authorised_request(bill)
        await publisher.stage_bill(org, request)
        await publisher.parts.worker.run_until_idle()
        first = await publisher.http.post(f"/v1/organisations/{org}/supplier-sync")
        again = await publisher.http.post(f"/v1/organisations/{org}/supplier-sync")
        known = await publisher.runtime.pool.fetchval("SELECT count(*) FROM contacts")
        records = await read_until(
            infra.kafka_bootstrap_servers,
            f"{isolation}.{LEDGER_SUPPLIERS}",
            lambda r: len(r) >= 2,
        )
    assert first.json() == {"suppliers_emitted": 1}
    assert again.json() == {"suppliers_emitted": 0}  # nothing changed since
    assert known == 106  # two pages of contacts
    assert len(records) == 2  # at its first bill, then by the sync


async def test_a_refused_refresh_marks_the_connection_needing_a_reconnect_with_its_event(
    settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    """The refresh holds the connection's row; recording the refusal must not wait on it."""
    tenant = xero_sandbox.create_tenant(name="Revoked Refresh Ltd")
    org = uuid.uuid4()
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        removed = xero_sandbox.http.post(
            f"/_sandbox/tenants/{tenant['tenant_id']}/disconnect", json={"client_id": CLIENT_ID}
        )
        assert removed.status_code == 200, removed.text
        pool = publisher.runtime.pool
        await pool.execute("UPDATE xero_connections SET expires_at = now() - interval '1 minute'")
        tokens = publisher.parts.tokens
        assert tokens is not None
        tokens.forget(org)
        with pytest.raises(XeroAuthError, match="invalid_grant"):
            await asyncio.wait_for(tokens.credentials(org), timeout=10)
        status = await pool.fetchval("SELECT status FROM xero_connections")
        events = await pool.fetch(
            "SELECT payload FROM outbox WHERE topic LIKE '%ledger.connections.v1' ORDER BY id"
        )
    assert status == "needs_reconnect"
    reported = [json.loads(e["payload"])["payload"] for e in events]
    assert [(p["status"], p["reason"]) for p in reported][-1] == (
        "needs_reconnect",
        "invalid_grant",
    )
