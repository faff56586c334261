"""Master data from Xero: read after an organisation connects, again on the schedule (accounts
only when Xero says they changed) and on an admin's reload; published once per change."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from countersign_contracts import LEDGER_MASTER_DATA, Envelope, LedgerMasterDataSynced, decode
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import read_until
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.xero_process import XeroSandbox
from countersign_publisher.handlers.master_data import MasterDataSyncPass

pytestmark = pytest.mark.integration


def _accounts_calls(xero_sandbox: XeroSandbox, tenant_id: str) -> int:
    state = xero_sandbox.http.get(f"/_sandbox/tenants/{tenant_id}/state").json()
    return int(state["calls"]["by_endpoint"].get("GET /Accounts", 0))


async def _events(
    infra: Infrastructure, topic: str, org: uuid.UUID, count: int, timeout_s: float = 10
) -> list[Any]:
    def mine(records: list[Any]) -> list[Envelope[LedgerMasterDataSynced]]:
        decoded = [decode(LEDGER_MASTER_DATA, record.value) for record in records]
        return [e for e in decoded if e.organisation_id == org]

    records = await read_until(
        infra.kafka_bootstrap_servers, topic, lambda r: len(mine(r)) >= count, timeout_s
    )
    return mine(records)


async def _run_pass(publisher: RunningPublisher) -> int:
    return await MasterDataSyncPass(
        publisher.runtime.pool, publisher.parts.master_data, 900
    ).run_due()


async def test_master_data_is_read_on_connect_and_published_once_per_change(
    infra: Infrastructure, isolation: str, settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    tenant = xero_sandbox.create_tenant(name="Master Data Ltd")
    tenant_id = tenant["tenant_id"]
    org = uuid.uuid4()
    topic = f"{isolation}.{LEDGER_MASTER_DATA}"
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        await publisher.connect(org, xero_sandbox, tenant_id)
        on_connect = await _run_pass(publisher)  # the connect made it due
        not_due = await _run_pass(publisher)
        first = await _events(infra, topic, org, 1)

        await publisher.runtime.pool.execute("UPDATE master_data SET due_at = now()")
        calls = _accounts_calls(xero_sandbox, tenant_id)
        unchanged = await _run_pass(publisher)
        accounts_calls_unchanged = _accounts_calls(xero_sandbox, tenant_id) - calls

        xero_sandbox.http.patch(
            f"/_sandbox/tenants/{tenant_id}/accounts/429", json={"Status": "ARCHIVED"}
        ).raise_for_status()
        await publisher.runtime.pool.execute("UPDATE master_data SET due_at = now()")
        await _run_pass(publisher)
        after_archive = await _events(infra, topic, org, 2)

        reload = await publisher.http.post(f"/v1/organisations/{org}/master-data/reload")
        shown = await publisher.http.get(f"/v1/organisations/{org}/master-data")
        all_events = await _events(infra, topic, org, 3, timeout_s=3)  # no third one comes

    assert (on_connect, not_due, unchanged) == (1, 0, 1)
    snapshot = first[0].payload
    assert first[0].subject_id == str(org)
    codes = {a.code: a for a in snapshot.accounts}
    assert codes["429"].status == "ACTIVE" and codes["999"].status == "ARCHIVED"
    assert {"090", "091"} <= {a.code for a in snapshot.accounts if a.type == "BANK"}
    assert accounts_calls_unchanged == 1  # If-Modified-Since: nothing newer, chart kept
    archived = {a.code: a for a in after_archive[1].payload.accounts}
    assert archived["429"].status == "ARCHIVED"
    assert reload.status_code == 200, reload.text
    assert reload.json() == {
        "accounts": 15,
        "tax_rates": 7,
        "tracking_categories": 2,
        "currencies": 3,
        "emitted": False,
    }
    assert len(all_events) == 2  # the unchanged reads and the reload published nothing
    assert shown.json()["accounts"] == 15 and shown.json()["synced_at"] is not None


async def test_a_reload_of_an_organisation_not_connected_is_refused(settings_for: Any) -> None:
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        refused = await publisher.http.post(f"/v1/organisations/{uuid.uuid4()}/master-data/reload")
        never = await publisher.http.get(f"/v1/organisations/{uuid.uuid4()}/master-data")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert never.json()["synced_at"] is None and never.json()["accounts"] == 0
