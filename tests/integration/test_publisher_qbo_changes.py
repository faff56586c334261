"""Changes after approval in QuickBooks Online (ADR 0072), from the QBO sandbox to the publisher
over real HTTP, on real Kafka and Postgres: a paid bill Countersign published (its file, audit
report, notes and BillPayment written after it) is reported changed exactly twice — a line's
amount edited through the Accounting API (seen by Intuit's webhook), then its vendor changed
while the sandbox loses the webhook (seen by the CDC poll) — and Countersign's own writes never."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from countersign_contracts import APPROVAL_REQUESTS, LEDGER_PUBLICATIONS, TrackingSelection
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import RunningPublisher, qbo_settings, running_publisher
from countersign_harness.publisher_samples import authorised_request, document_bytes, sample_bill
from countersign_harness.qbo_process import QboSandbox
from countersign_harness.waiting import eventually
from countersign_publisher.adapters.qbo_changes import updated_at
from countersign_publisher.adapters.qbo_reading import notes_of

from tests.integration.test_publisher_publication import events, send, settled, types
from tests.integration.test_publisher_xero_webhooks import listening
from tests.support.sandbox_fixture import sandbox_for_module

pytestmark = pytest.mark.integration

VERIFIER = "qbo-verifier-token-for-the-publisher-tests"
REDIRECT_URI = "http://publisher/v1/qbo/callback"
CHANGED = "BillChangedInXero"


@pytest.fixture(scope="module")
def qbo_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QboSandbox]:
    # A sandbox minute a real second: a webhook delivery's retries take a fraction of one.
    yield from sandbox_for_module(QboSandbox, tmp_path_factory, time_scale="60")


class Company:
    """A QBO company as a client of Intuit's Accounting API edits it (minorversion 75, JSON,
    a Bearer token for the company), and the sandbox's control API for it."""

    def __init__(self, sandbox: QboSandbox, realm_id: str) -> None:
        self.sandbox, self.realm_id = sandbox, realm_id
        self.api = httpx.AsyncClient(base_url=f"{sandbox.root}/v3/company/{realm_id}", timeout=20)

    async def call(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        token = self.sandbox.mint_tokens(self.realm_id)["access_token"]
        answer = await self.api.request(
            method,
            path,
            json=body,
            params={"minorversion": "75", **params},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def id_of(self, entity: str, name: str) -> str:
        text = f"select * from {entity} where Name = '{name}'"
        found = await self.call("GET", "query", query=text)
        return str(found["QueryResponse"][entity][0]["Id"])

    async def bill(self, bill_id: str) -> dict[str, Any]:
        found: dict[str, Any] = (await self.call("GET", f"bill/{bill_id}"))["Bill"]
        return found

    async def sparse_update(self, bill_id: str, **fields: Any) -> dict[str, Any]:
        current = await self.bill(bill_id)
        body = {"Id": bill_id, "SyncToken": current["SyncToken"], "sparse": True, **fields}
        updated: dict[str, Any] = (await self.call("POST", "bill", body))["Bill"]
        return updated

    async def attachables(self, bill_id: str) -> list[dict[str, Any]]:
        found = await self.call("GET", "query", query="select * from Attachable")
        return [
            a
            for a in found["QueryResponse"].get("Attachable", [])
            if {"type": "Bill", "value": bill_id} in [r["EntityRef"] for r in a["AttachableRef"]]
        ]

    async def deliveries(self) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=self.sandbox.root, timeout=20) as control:
            found = (await control.get("/_sandbox/webhooks")).json()["deliveries"]
        return [d for d in found if d["realm_id"] == self.realm_id]


async def _coded_bill(company: Company, reference: str) -> Any:
    """126.60 of paper, coded as Dext codes a QBO company (by Ids), with a class and a
    department, paid from the checking account."""
    bill = sample_bill(
        reference,
        account_code=await company.id_of("Account", "Office Expenses"),
        tax_type=await company.id_of("TaxCode", "20.0% S"),
        paid_from=await company.id_of("Account", "Checking"),
    )
    tracking = [
        TrackingSelection(category="Class", option="Operations"),
        TrackingSelection(category="Department", option="North"),
    ]
    lines = [line.model_copy(update={"tracking": tracking}) for line in bill.lines]
    return bill.model_copy(update={"lines": lines})


async def _first_poll(publisher: RunningPublisher, org: uuid.UUID) -> bool:
    polled = await publisher.runtime.pool.fetchval(
        "SELECT polled_at FROM qbo_change_polls WHERE organisation_id = $1", org
    )
    return polled is not None


async def _kept_at(publisher: RunningPublisher, org: uuid.UUID, bill: dict[str, Any]) -> str:
    """Once the publisher keeps the bill as QBO has it now: by whom it was seen."""

    async def kept() -> Any:
        return await publisher.runtime.pool.fetchrow(
            "SELECT qbo_updated_at, seen_by FROM qbo_resources"
            " WHERE organisation_id = $1 AND category = 'BILL' AND resource_id = $2",
            org,
            bill["Id"],
        )

    wanted = updated_at(bill)
    row = await eventually(kept, lambda r: r is not None and r["qbo_updated_at"] == wanted)
    return str(row["seen_by"])


async def test_a_paid_bill_changed_in_qbo_is_reported_by_webhook_then_by_cdc_and_never_for_our_writes(  # noqa: E501
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    qbo_sandbox: QboSandbox,
    documents: DocumentServer,
) -> None:
    realm = qbo_sandbox.create_company(name="Harbour Lights Ltd", country="GB")["realm_id"]
    company, org = Company(qbo_sandbox, realm), uuid.uuid4()
    bill = await _coded_bill(company, "QCH-1")
    documents.add(bill.document.document_id, document_bytes(bill.document_reference))
    authorised = authorised_request(bill)
    settings = settings_for(
        qbo_webhook_verifier=VERIFIER, **qbo_settings(qbo_sandbox, REDIRECT_URI)
    )
    async with (
        running_publisher(settings) as publisher,
        listening(publisher, "/v1/qbo/webhooks") as url,
    ):
        await publisher.connect_qbo(org, qbo_sandbox, realm)
        # The first CDC poll (right after connecting) is over: the webhook sees the edit first.
        await eventually(lambda: _first_poll(publisher, org), bool, timeout_s=15)
        hook = {"url": url, "verifier_token": VERIFIER}
        async with httpx.AsyncClient(base_url=qbo_sandbox.root, timeout=20) as control:
            assert (await control.post("/_sandbox/webhooks", json=hook)).status_code == 201
        await send(infra, isolation, APPROVAL_REQUESTS, org, authorised)
        (published,) = await settled(publisher, org, authorised.dext_item_id)
        bill_id = str(published["ledger_bill_id"])
        # Countersign's own writes (attachments, notes, the payment) are kept, not reported.
        paid = await company.bill(bill_id)
        own_writes_seen_by = await _kept_at(publisher, org, paid)
        attached = await company.attachables(bill_id)

        line = {**paid["Line"][0], "Amount": 1105.50}
        edited = await company.sparse_update(bill_id, Line=[line])
        first_seen_by = await _kept_at(publisher, org, edited)
        after_edit = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: types(e).count(CHANGED) == 1
        )

        vendor = await company.call("POST", "vendor", {"DisplayName": "Other Paper Co"})
        await eventually(company.deliveries, lambda d: d[-1]["state"] == "delivered")
        lost = len(await company.deliveries())
        qbo_sandbox.fault(fault="webhook_lost", count=1, realm_id=realm)
        moved = await company.sparse_update(bill_id, VendorRef={"value": vendor["Vendor"]["Id"]})
        await eventually(company.deliveries, lambda d: len(d) > lost and d[-1]["state"] == "lost")
        caught = await publisher.parts.change_poll.poll(org)
        second_seen_by = await _kept_at(publisher, org, moved)
        after_move = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: types(e).count(CHANGED) == 2
        )
        await company.api.aclose()

    # Countersign wrote after the bill: its notes, two attachments and the payment.
    assert published["state"] == "completed" and paid["Balance"] == 0
    assert notes_of(paid["PrivateNote"]) and len(attached) == 2
    assert own_writes_seen_by == "webhook"
    assert (first_seen_by, second_seen_by, caught) == ("webhook", "poll", 1)
    first, second = [e["payload"] for e in after_move if e["event_type"] == CHANGED]
    assert [e["payload"] for e in after_edit if e["event_type"] == CHANGED] == [first]
    for change in (first, second):
        assert change["ledger"] == "qbo"
        assert change["ledger_bill_id"] == bill_id
        assert change["request_id"] == str(authorised.request_id)
        # Paid 126.60 of a bill now 1326.60: open again, with 1200 to pay.
        assert change["xero_status"] == "AUTHORISED"
    assert first["seen_by"] == "webhook" and second["seen_by"] == "poll"
    assert first["differences"] == [
        {"field": "total", "approved": "126.60", "now": "1326.60"},
        {"field": "lines[0].line_amount", "approved": "105.50", "now": "1105.50"},
    ]
    assert second["differences"][0]["field"] == "contact"
    assert second["differences"][1:] == first["differences"]
