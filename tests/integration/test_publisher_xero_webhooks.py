"""Xero's webhooks, from the Xero sandbox to the publisher over real HTTP, on real Postgres:
a wrong signature is refused with nothing recorded; intent to receive passes; a change made in
Xero is fetched and kept; duplicated and reordered deliveries change nothing twice; a delivery
the sandbox loses is caught by the poll."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import CLIENT_ID, XeroSandbox, sandbox_process
from countersign_publisher.domain.xero_changes import ObservedChange
from countersign_publisher.handlers import xero_changes
from countersign_xero_sandbox.harness import free_port

pytestmark = pytest.mark.integration

KEY = "webhook-key-for-the-publisher-tests"


@pytest.fixture(scope="module")
def xero_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XeroSandbox]:
    # A sandbox minute a real second: a delayed delivery or a retry takes a fraction of one.
    with sandbox_process(tmp_path_factory.mktemp("xero"), time_scale="60") as sandbox:
        yield sandbox


@pytest.fixture
def followed(monkeypatch: pytest.MonkeyPatch) -> list[ObservedChange]:
    """Every newer state kept, as the change-after-approval detection will see it."""
    seen: list[ObservedChange] = []

    async def follow(conn: asyncpg.Connection, change: ObservedChange) -> None:
        seen.append(change)

    monkeypatch.setattr(xero_changes, "FOLLOWERS", (follow,))
    return seen


@contextlib.asynccontextmanager
async def listening(
    publisher: RunningPublisher, path: str = "/v1/xero/webhooks"
) -> AsyncIterator[str]:
    """The publisher's app on a port of its own, for a sandbox to call: the URL of ``path``."""
    port = free_port()
    config = uvicorn.Config(
        publisher.app, host="127.0.0.1", port=port, lifespan="off", log_level="critical"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await eventually(started, bool, timeout_s=10, interval_s=0.01)
    try:
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        server.should_exit = True
        await task


class World:
    """A connected organisation, its tenant, and the sandbox's control API (asynchronously:
    intent to receive calls back into this event loop)."""

    def __init__(self, sandbox: XeroSandbox, publisher: RunningPublisher, tenant_id: str) -> None:
        self.sandbox = sandbox
        self.publisher = publisher
        self.tenant_id = tenant_id
        self.organisation_id = uuid.uuid4()
        self.webhook: dict[str, Any] = {}
        self.control = httpx.AsyncClient(base_url=sandbox.root, timeout=20)

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        answer = await self.control.request(method, path, json=body)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    async def bill(self, number: str, amount: str) -> dict[str, Any]:
        bill = {
            "Type": "ACCPAY",
            "Contact": {"Name": f"Supplier {number}"},
            "Date": "2026-05-01",
            "DueDate": "2026-05-31",
            "InvoiceNumber": number,
            "Status": "AUTHORISED",
            "LineItems": [{"Description": "Paper", "Quantity": 1, "UnitAmount": amount,
                           "AccountCode": "429", "TaxType": "INPUT2"}],
        }  # fmt: skip
        created: dict[str, Any] = await self.call(
            "POST", f"/_sandbox/tenants/{self.tenant_id}/invoices", bill
        )
        return created

    async def edit(self, invoice_id: str, amount: str) -> None:
        line = {"Description": "Paper", "Quantity": 1, "UnitAmount": amount, "AccountCode": "429"}
        path = f"/_sandbox/tenants/{self.tenant_id}/invoices/{invoice_id}"
        await self.call("PATCH", path, {"LineItems": [line]})

    async def kept(self, invoice_id: str) -> asyncpg.Record | None:
        return await self.publisher.runtime.pool.fetchrow(
            "SELECT xero_updated_at, state, seen_by FROM xero_resources"
            " WHERE organisation_id = $1 AND category = 'INVOICE' AND resource_id = $2",
            self.organisation_id,
            uuid.UUID(invoice_id),
        )

    async def total_kept(self, invoice_id: str, total: str) -> asyncpg.Record | None:
        def shows(row: asyncpg.Record | None) -> bool:
            return row is not None and Decimal(json.loads(row["state"])["Total"]) == Decimal(total)

        return await eventually(lambda: self.kept(invoice_id), shows, timeout_s=15)

    async def events(self) -> list[asyncpg.Record]:
        return await self.publisher.runtime.pool.fetch(
            "SELECT event_type, outcome, processed_at FROM xero_change_events"
            " WHERE tenant_id = $1 ORDER BY change_id",
            self.tenant_id,
        )

    async def first_poll(self) -> bool:
        polled = await self.publisher.runtime.pool.fetchval(
            "SELECT polled_at FROM xero_change_polls WHERE organisation_id = $1",
            self.organisation_id,
        )
        return polled is not None

    def invoice_reads(self) -> int:
        calls = self.sandbox.state(self.tenant_id)["calls"]["by_endpoint"]
        return int(calls.get("GET /Invoices/{id}", 0))


@contextlib.asynccontextmanager
async def world(
    sandbox: XeroSandbox, settings_for: Any, *, register: bool = True, **settings: Any
) -> AsyncIterator[World]:
    tenant_id = sandbox.create_tenant(name="Webhooks Ltd")["tenant_id"]
    config = settings_for(xero_webhook_key=KEY, **settings)
    async with running_publisher(config) as publisher, listening(publisher) as url:
        here = World(sandbox, publisher, tenant_id)
        await publisher.connect(here.organisation_id, sandbox, tenant_id)
        # The first poll (the baseline, right after connecting) is over before Xero changes.
        await eventually(here.first_poll, bool, timeout_s=15)
        webhook = None
        if register:
            body = {"client_id": CLIENT_ID, "url": url, "key": KEY}
            webhook = await here.call("POST", "/_sandbox/webhooks", body)
            here.webhook = webhook
        try:
            yield here
        finally:
            if webhook is not None:
                await here.call("DELETE", f"/_sandbox/webhooks/{webhook['webhook_id']}")
            sandbox.clear_faults()
            await here.control.aclose()


def _signed(body: bytes, key: str = KEY) -> dict[str, str]:
    digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
    return {"x-xero-signature": base64.b64encode(digest).decode()}


async def test_a_wrong_or_missing_signature_is_refused_and_nothing_is_recorded(
    xero_sandbox: XeroSandbox, settings_for: Any
) -> None:
    async with world(xero_sandbox, settings_for, register=False) as here:
        event = {"resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/x",
                 "resourceId": str(uuid.uuid4()), "eventDateUtc": "2026-05-01T10:00:00.123",
                 "eventType": "UPDATE", "eventCategory": "INVOICE", "tenantId": here.tenant_id,
                 "tenantType": "ORGANISATION"}  # fmt: skip
        payload = {"events": [event], "firstEventSequence": 1, "lastEventSequence": 1,
                   "entropy": "ABCDEFGHIJ"}  # fmt: skip
        body = json.dumps(payload).encode()
        http = here.publisher.http
        wrong = await http.post("/v1/xero/webhooks", content=body, headers=_signed(body, "other"))
        missing = await http.post("/v1/xero/webhooks", content=body)
        tampered = await http.post(
            "/v1/xero/webhooks", content=body.replace(b"UPDATE", b"CREATE"), headers=_signed(body)
        )
        recorded_after_refusals = len(await here.events())
        signed = await http.post("/v1/xero/webhooks", content=body, headers=_signed(body))
        recorded = await eventually(here.events, lambda rows: bool(rows and rows[0]["outcome"]))

    assert [wrong.status_code, missing.status_code, tampered.status_code] == [401, 401, 401]
    assert recorded_after_refusals == 0
    assert (signed.status_code, signed.content) == (200, b"")
    assert "set-cookie" not in signed.headers
    # The resource is not this tenant's: Xero says so, and the event is done with.
    assert [(r["event_type"], r["outcome"]) for r in recorded] == [("UPDATE", "gone")]


async def test_intent_to_receive_passes_and_a_change_made_in_xero_is_fetched_and_kept(
    xero_sandbox: XeroSandbox, settings_for: Any, followed: list[ObservedChange]
) -> None:
    async with world(xero_sandbox, settings_for) as here:
        created = await here.bill("WH-1", "100.00")
        invoice_id = created["InvoiceID"]
        first = await here.total_kept(invoice_id, "120")
        await here.edit(invoice_id, "150.00")
        edited = await here.total_kept(invoice_id, "180")

    assert here.webhook["status"] == "OK"
    assert all(p["passed"] for p in here.webhook["probes"])
    assert first is not None
    assert edited is not None and edited["xero_updated_at"] > first["xero_updated_at"]
    assert (first["seen_by"], edited["seen_by"]) == ("webhook", "webhook")
    bills = [c for c in followed if c.category == "INVOICE"]
    assert [Decimal(c.current["Total"]) for c in bills] == [120, 180]
    assert bills[0].previous is None and bills[1].previous == bills[0].current


async def test_duplicated_and_reordered_deliveries_change_nothing_twice(
    xero_sandbox: XeroSandbox, settings_for: Any, followed: list[ObservedChange]
) -> None:
    async with world(xero_sandbox, settings_for) as here:
        invoice_id = (await here.bill("WH-2", "10.00"))["InvoiceID"]
        await here.total_kept(invoice_id, "12")
        reads_before = here.invoice_reads()
        xero_sandbox.fault(fault="webhook_duplicate", count=1, tenant_id=here.tenant_id)
        await here.edit(invoice_id, "20.00")
        await here.total_kept(invoice_id, "24")
        # Held a sandbox minute (a real second): the next edit's delivery overtakes it.
        xero_sandbox.fault(fault="webhook_delay", count=1, seconds=60, tenant_id=here.tenant_id)
        await here.edit(invoice_id, "30.00")
        await asyncio.sleep(0.3)
        await here.edit(invoice_id, "40.00")
        await here.total_kept(invoice_id, "48")
        rows = await eventually(
            here.events,
            lambda r: len(r) == 5 and all(row["processed_at"] for row in r),
            timeout_s=15,
        )
        reads = here.invoice_reads() - reads_before

    outcomes = [(r["event_type"], r["outcome"]) for r in rows]
    # CREATE invoice, CREATE contact, the duplicated edit once, the late edit last.
    assert sorted(o for _, o in outcomes[2:]) == ["kept", "kept", "older_than_seen"]
    assert outcomes[-1] == ("UPDATE", "older_than_seen")
    assert reads == 2  # the duplicate and the late event fetched nothing
    totals = [Decimal(c.current["Total"]) for c in followed if c.category == "INVOICE"]
    assert totals == [12, 24, 48]


async def test_a_delivery_the_sandbox_loses_is_caught_by_the_poll(
    xero_sandbox: XeroSandbox, settings_for: Any, followed: list[ObservedChange]
) -> None:
    async with world(xero_sandbox, settings_for, xero_change_poll_interval_s=1.0) as here:
        invoice_id = (await here.bill("WH-3", "10.00"))["InvoiceID"]
        await here.total_kept(invoice_id, "12")
        xero_sandbox.fault(fault="webhook_lost", count=1, tenant_id=here.tenant_id)
        await here.edit(invoice_id, "70.00")
        caught = await here.total_kept(invoice_id, "84")
        deliveries = await here.call(
            "GET", f"/_sandbox/webhooks/{here.webhook['webhook_id']}/deliveries"
        )

    assert caught is not None and caught["seen_by"] == "poll"
    assert [d["state"] for d in deliveries][-1] == "lost"
    totals = [Decimal(c.current["Total"]) for c in followed if c.category == "INVOICE"]
    assert totals == [12, 84]


async def test_an_event_of_a_suspended_organisation_is_closed_without_calling_xero(
    xero_sandbox: XeroSandbox, settings_for: Any
) -> None:
    async with world(xero_sandbox, settings_for, register=False) as here:
        invoice_id = (await here.bill("WH-4", "10.00"))["InvoiceID"]
        await here.publisher.runtime.pool.execute(
            "INSERT INTO organisation_status (organisation_id, status, occurred_at)"
            " VALUES ($1, 'suspended', now())",
            here.organisation_id,
        )
        reads_before = here.invoice_reads()
        event = {"resourceUrl": f"{xero_sandbox.api_url}/Invoices/{invoice_id}",
                 "resourceId": invoice_id, "eventDateUtc": "2026-05-01T10:00:00.123",
                 "eventType": "CREATE", "eventCategory": "INVOICE", "tenantId": here.tenant_id,
                 "tenantType": "ORGANISATION"}  # fmt: skip
        body = json.dumps({"events": [event], "firstEventSequence": 1, "lastEventSequence": 1,
                           "entropy": "KLMNOPQRST"}).encode()  # fmt: skip
        answer = await here.publisher.http.post(
            "/v1/xero/webhooks", content=body, headers=_signed(body)
        )
        rows = await eventually(here.events, lambda r: bool(r and r[0]["outcome"]))

    assert answer.status_code == 200
    assert [r["outcome"] for r in rows] == ["suspended"]
    assert here.invoice_reads() == reads_before
