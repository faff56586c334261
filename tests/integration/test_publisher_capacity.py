"""One publisher instance works for only as many organisations at once as its ``max_in_flight``
allows, the longest waiting first, and leases only their jobs: the rest stay due for the other
instances of its consumer group."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from countersign_harness.document_server import DocumentServer
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.publisher_samples import (
    authorised_request,
    document_bytes,
    sample_bill,
)
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox

pytestmark = pytest.mark.integration


async def test_an_instance_takes_only_the_organisations_it_has_room_for_oldest_first(
    settings_for: Any, xero_sandbox: XeroSandbox, documents: DocumentServer
) -> None:
    # One organisation's worth of calls (5) at a time; the worker loop is off so that the test
    # drives each dispatch itself.
    settings = settings_for(worker_enabled=False, worker_max_in_flight=5, worker_lease_s=30)
    async with running_publisher(settings) as publisher:
        orgs = await organisations_with_a_bill(publisher, xero_sandbox, documents, 3)
        worker = publisher.parts.worker
        xero_sandbox.fault(fault="latency", latency_ms=1000, count=None)
        try:
            await worker.dispatch()
            await asyncio.sleep(0.3)  # the task claims its organisation's jobs
            first = await leased(publisher, orgs)
            await worker.dispatch()  # no room: nothing else starts
            await asyncio.sleep(0.3)
            still = await leased(publisher, orgs)
            await eventually(lambda: completed(publisher, orgs[:1]), lambda done: done == [True])

            async def dispatched() -> list[bool]:
                await worker.dispatch()  # room again once the first organisation's task ends
                await asyncio.sleep(0.1)
                return await leased(publisher, orgs)

            after_first = await eventually(dispatched, lambda now: now[1])
        finally:
            xero_sandbox.clear_faults()
            await worker.stop()
    assert first == [True, False, False]
    assert still == [True, False, False]
    assert after_first[2] is False, "the next longest waiting goes next, alone"


async def organisations_with_a_bill(
    publisher: RunningPublisher, sandbox: XeroSandbox, documents: DocumentServer, count: int
) -> list[uuid.UUID]:
    """``count`` organisations connected to their own tenant, one bill staged for each, in
    order: the first has waited longest."""
    orgs = []
    for _ in range(count):
        tenant = sandbox.create_tenant(name=f"Capacity {uuid.uuid4().hex[:6]} Ltd")
        org = uuid.uuid4()
        await publisher.connect(org, sandbox, tenant["tenant_id"])
        bill = sample_bill(f"CAP-{uuid.uuid4().hex[:6]}")
        documents.add(bill.document.document_id, document_bytes(bill.document_reference))
        await publisher.stage_bill(org, authorised_request(bill))
        orgs.append(org)
    return orgs


async def _states(publisher: RunningPublisher, org: uuid.UUID) -> list[dict[str, Any]]:
    async with publisher.runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT state, leased_until > now() AS leased FROM publications"
            " WHERE organisation_id = $1",
            org,
        )
    return [dict(r) for r in rows]


async def leased(publisher: RunningPublisher, orgs: list[uuid.UUID]) -> list[bool]:
    return [
        any(r["leased"] and r["state"] == "publishing" for r in await _states(publisher, org))
        for org in orgs
    ]


async def completed(publisher: RunningPublisher, orgs: list[uuid.UUID]) -> list[bool]:
    return [all(r["state"] == "completed" for r in await _states(publisher, org)) for org in orgs]


async def test_an_organisation_waiting_for_its_xero_minute_leaves_its_slot_to_another(
    settings_for: Any, xero_sandbox: XeroSandbox, documents: DocumentServer
) -> None:
    """With room for one organisation, the first one spends its two calls of the minute and
    must wait for the next: the instance goes on with the second one meanwhile instead of
    idling until the first one's minute has room again."""
    settings = settings_for(
        worker_enabled=False,
        worker_max_in_flight=5,
        worker_lease_s=30,
        xero_minute_limit=2,
        xero_minute_s=60,
    )
    async with running_publisher(settings) as publisher:
        orgs = await organisations_with_a_bill(publisher, xero_sandbox, documents, 2)
        worker = publisher.parts.worker
        scheduler = publisher.parts.scheduler
        try:
            await worker.dispatch()
            await eventually(
                lambda: asyncio.sleep(0.1, scheduler.held_back(str(orgs[0]))), bool, timeout_s=30
            )
            await worker.dispatch()
            await asyncio.sleep(0.3)
            both = await leased(publisher, orgs)
            first_done = await completed(publisher, orgs[:1])
        finally:
            await worker.stop()
    assert first_done == [False], "the first organisation is still waiting for its minute"
    assert both == [True, True], "the second organisation got the slot meanwhile"
