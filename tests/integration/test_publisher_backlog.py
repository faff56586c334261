"""The publisher's backlog gauge, countersign_publisher_publications_waiting, which its KEDA
ScaledObject follows (ADR 0062): the publications still to run of organisations connected to
Xero and not suspended, counted in the real Postgres and served on /metrics, and kept current by
its own loop as work arrives."""

from __future__ import annotations

import re
import uuid
from typing import Any
from uuid import UUID

import pytest
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.publisher_samples import authorised_request, sample_bill
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox

pytestmark = pytest.mark.integration

_GAUGE = re.compile(r"^countersign_publisher_publications_waiting ([0-9.e+]+)$", re.MULTILINE)


async def stage(publisher: RunningPublisher, org: UUID, count: int) -> list[str]:
    items = []
    for _ in range(count):
        request = authorised_request(sample_bill(f"INV-{uuid.uuid4().hex[:8]}"))
        await publisher.stage_bill(org, request)
        items.append(request.dext_item_id)
    return items


async def set_state(publisher: RunningPublisher, item: str, state: str, later: bool) -> None:
    async with publisher.runtime.pool.acquire() as conn:
        await conn.execute(
            "UPDATE publications SET state = $2, next_attempt_at = now()"
            " + make_interval(secs => $3) WHERE dext_item_id = $1",
            item,
            state,
            600.0 if later else 0.0,
        )


async def served(publisher: RunningPublisher) -> float | None:
    response = await publisher.http.get("/metrics")
    found = _GAUGE.search(response.text)
    return None if found is None else float(found.group(1))


async def test_the_gauge_counts_the_work_waiting_for_connected_unsuspended_organisations(
    settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    settings = settings_for(worker_enabled=False, backlog_sample_interval_s=0.2)
    async with running_publisher(settings) as publisher:
        connected, suspended, unconnected = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        for org in (connected, suspended):
            tenant = xero_sandbox.create_tenant(name=f"Backlog {org.hex[:6]}")
            await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        _recorded, backing_off, done, parked, failed = await stage(publisher, connected, 5)
        await set_state(publisher, backing_off, "publishing", later=True)
        await set_state(publisher, done, "completed", later=False)
        await set_state(publisher, parked, "parked", later=False)
        await set_state(publisher, failed, "failed", later=False)
        await stage(publisher, unconnected, 2)
        await stage(publisher, suspended, 1)
        async with publisher.runtime.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO organisation_status (organisation_id, status, occurred_at)"
                " VALUES ($1, 'suspended', now())",
                suspended,
            )

        counted = await publisher.parts.backlog.sample()
        scraped = await served(publisher)
        await stage(publisher, connected, 3)  # work arrives: the loop's next count sees it
        later = await eventually(lambda: served(publisher), lambda value: value == 5.0)

    assert counted == 2, "the recorded job and the one backing off, nothing else"
    assert scraped == 2.0
    assert later == 5.0
