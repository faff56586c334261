"""The publication worker is woken by the commit that gives it work, not by its poll: a job
recorded while the worker idles starts at once with the poll set to minutes; a lost wake-up
is caught up by the poll; and two workers woken together by one notification, beside their
polls, still publish each bill once. Real Postgres (LISTEN/NOTIFY), Kafka and Xero sandbox."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any
from uuid import UUID

import pytest
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.publisher_samples import (
    authorised_request,
    document_bytes,
    sample_bill,
)
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox

pytestmark = pytest.mark.integration

MINUTES = 600.0  # a poll interval no test waits for


async def staged(
    publisher: RunningPublisher, documents: DocumentServer, org: UUID, reference: str
) -> str:
    bill = sample_bill(reference)
    documents.add(bill.document.document_id, document_bytes(reference))
    request = authorised_request(bill)
    await publisher.stage_bill(org, request)  # the consumer's insert, in its own commit
    return request.dext_item_id


async def completed(publisher: RunningPublisher, org: UUID, item: str) -> bool:
    found = await publisher.publications(org, item)
    return bool(found) and found[0]["state"] == "completed"


async def test_a_job_recorded_while_the_worker_idles_starts_without_waiting_for_the_poll(
    settings_for: Any, xero_sandbox: XeroSandbox, documents: DocumentServer
) -> None:
    tenant = xero_sandbox.create_tenant(name="Woken Ltd")
    async with running_publisher(settings_for(worker_poll_interval_s=MINUTES)) as publisher:
        org = uuid.uuid4()
        await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        worker = publisher.parts.worker
        assert worker.listening
        await asyncio.sleep(0.5)  # the worker has done its first pass and waits
        started = time.monotonic()
        item = await staged(publisher, documents, org, "INV-W1")
        done = await eventually(lambda: completed(publisher, org, item), bool, timeout_s=30)
        took = time.monotonic() - started

    assert done, "the job never ran"
    assert took < MINUTES / 10  # woken, not polled (the poll would take ten minutes)


async def test_a_lost_wake_up_is_caught_up_by_the_poll(
    infra: Infrastructure,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
) -> None:
    """The listening connection dies (a restart, a network blip): the notification of the job
    recorded meanwhile reaches nobody, and the poll finds the job anyway."""
    tenant = xero_sandbox.create_tenant(name="Polled Ltd")
    async with running_publisher(settings_for(worker_poll_interval_s=1.0)) as publisher:
        org = uuid.uuid4()
        await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        worker = publisher.parts.worker
        async with publisher.runtime.pool.acquire() as conn:
            schema = publisher.runtime.schema
            killed = await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE query ILIKE $1 AND pid <> pg_backend_pid()",
                f"%LISTEN%publications_{schema}%",
            )
        assert killed == 1, "the worker's LISTEN connection was not found"
        item = await staged(publisher, documents, org, "INV-W2")
        done = await eventually(lambda: completed(publisher, org, item), bool, timeout_s=30)
        relistening = await eventually(
            lambda: _ready(worker.listening), bool, timeout_s=10, interval_s=0.2
        )

    assert done, "the poll did not catch up"
    assert relistening, "the worker never listened again"


async def test_workers_woken_together_and_polling_publish_each_bill_once(
    settings_for: Any, xero_sandbox: XeroSandbox, documents: DocumentServer
) -> None:
    """Two instances: one notification wakes both, and their polls (every 50 ms) race the
    wake-ups; the leases let exactly one of them publish each job. The twelve bills take about
    49 of the tenant's 60 Xero calls a minute: on a loaded machine a retried call can cross
    that, and the rest then waits out Xero's Retry-After, so the deadline allows one window."""
    tenant = xero_sandbox.create_tenant(name="Raced Ltd")
    settings = settings_for(worker_poll_interval_s=0.05)
    async with running_publisher(settings) as first, running_publisher(settings) as second:
        org = uuid.uuid4()
        await first.connect(org, xero_sandbox, tenant["tenant_id"])
        items = [await staged(first, documents, org, f"INV-R{n}") for n in range(12)]
        done = await eventually(
            lambda: _all_completed(second, org, items), bool, timeout_s=150, interval_s=0.2
        )
    invoices = xero_sandbox.state(tenant["tenant_id"])["invoices"]

    assert done
    numbers = sorted(i["InvoiceNumber"] for i in invoices)
    assert numbers == sorted(f"INV-R{n}" for n in range(12))  # each exactly once
    assert all(len(i["Attachments"]) == 2 for i in invoices)


async def _all_completed(publisher: RunningPublisher, org: UUID, items: list[str]) -> bool:
    return all([await completed(publisher, org, item) for item in items])


async def _ready(value: Any) -> Any:
    return value
