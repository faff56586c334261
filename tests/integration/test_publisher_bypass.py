"""Bypass detection, from the Xero sandbox to the publisher over real HTTP (signed webhooks), on
real Kafka and Postgres: a bill approved in Xero that did not come through Countersign is
reported exactly once; drafts, sales invoices and bills dated before the organisation's start
date never; a repeating template's bills once for the template; and Countersign's own bill
never, even when Xero's answer was lost after the bill was committed (``drop_after_commit``)
so the webhook tells of the bill before the publisher knows its id."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from countersign_contracts import APPROVAL_REQUESTS, LEDGER_BILLS, LEDGER_PUBLICATIONS
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.publisher_samples import authorised_request, document_bytes, sample_bill
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import CLIENT_ID, XeroSandbox

from tests.integration.test_publisher_publication import events, send, settled, types
from tests.integration.test_publisher_xero_webhooks import KEY, listening

pytestmark = pytest.mark.integration

BYPASS = "BillAuthorisedOutsideCountersign"
TODAY = datetime.now(UTC).date()


class Xero:
    """The tenant as a person in Xero edits it (the sandbox's controls), and as an app reads
    and writes it (the Accounting API, for repeating templates)."""

    def __init__(self, sandbox: XeroSandbox, tenant_id: str) -> None:
        self.sandbox, self.tenant_id = sandbox, tenant_id
        self.tenant = f"/_sandbox/tenants/{tenant_id}"

    async def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        async with httpx.AsyncClient(base_url=self.sandbox.root, timeout=20) as client:
            answer = await client.request(method, path, json=body, headers=headers)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    async def bill(self, number: str, day: date, status: str = "AUTHORISED", **more: Any) -> str:
        bill = {"Type": "ACCPAY", "Contact": {"Name": "Northside Property Ltd"},
                "Date": day.isoformat(), "DueDate": (day + timedelta(days=30)).isoformat(),
                "InvoiceNumber": number, "Status": status,
                "LineItems": [{"Description": "Rent", "Quantity": 1, "UnitAmount": "1000.00",
                               "AccountCode": "429", "TaxType": "INPUT2"}], **more}  # fmt: skip
        created = await self.call("POST", f"{self.tenant}/invoices", bill)
        return str(created["InvoiceID"])

    async def repeating_template(self) -> str:
        token = self.sandbox.mint_tokens(self.tenant_id)["access_token"]
        template = {"Type": "ACCPAY", "Status": "AUTHORISED",
                    "Contact": {"Name": "Cloud Storage Co"},
                    "Schedule": {"Period": 1, "Unit": "MONTHLY", "DueDate": 20,
                                 "DueDateType": "OFFOLLOWINGMONTH",
                                 "StartDate": TODAY.isoformat()},
                    "LineItems": [{"Description": "Storage", "Quantity": 1, "UnitAmount": "50.00",
                                   "AccountCode": "429", "TaxType": "INPUT2"}]}  # fmt: skip
        headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": self.tenant_id}
        body = {"RepeatingInvoices": [template]}
        created = await self.call("PUT", "/api.xro/2.0/RepeatingInvoices", body, **headers)
        template_id = str(created["RepeatingInvoices"][0]["RepeatingInvoiceID"])
        listed = await self.call("GET", f"/api.xro/2.0/RepeatingInvoices/{template_id}", **headers)
        assert listed["RepeatingInvoices"][0]["Status"] == "AUTHORISED"
        return template_id

    async def run(self, template_id: str) -> dict[str, Any]:
        made: dict[str, Any] = await self.call(
            "POST", f"{self.tenant}/repeating-invoices/{template_id}/run"
        )
        return made


async def all_worked(publisher: RunningPublisher, tenant_id: str, at_least: int) -> None:
    async def rows() -> list[asyncpg.Record]:
        return await publisher.runtime.pool.fetch(
            "SELECT processed_at FROM xero_change_events WHERE tenant_id = $1", tenant_id
        )

    await eventually(
        rows,
        lambda found: len(found) >= at_least and all(r["processed_at"] for r in found),
        timeout_s=30,
    )


async def first_poll(publisher: RunningPublisher, org: uuid.UUID) -> bool:
    polled = await publisher.runtime.pool.fetchval(
        "SELECT polled_at FROM xero_change_polls WHERE organisation_id = $1", org
    )
    return polled is not None


def reports(
    found: list[dict[str, Any]], org: uuid.UUID, kind: str = BYPASS
) -> list[dict[str, Any]]:
    return [
        e["payload"] for e in found if e["event_type"] == kind and e["organisation_id"] == str(org)
    ]


def announced(found: list[dict[str, Any]], org: uuid.UUID) -> list[tuple[str, str, str]]:
    """ledger.bills.v1 for the organisation: (event type, invoice id, status), in order."""
    return [
        (e["event_type"], e["payload"]["xero_invoice_id"], e["payload"]["xero_status"])
        for e in found
        if e["organisation_id"] == str(org)
    ]


async def start_date_put(publisher: RunningPublisher, org: uuid.UUID, day: date) -> httpx.Response:
    body = {"xero_history_notes": True, "bypass_detection_from": day.isoformat()}
    return await publisher.http.put(f"/v1/organisations/{org}/publication-settings", json=body)


async def test_bills_approved_in_xero_outside_countersign_are_reported_once_each(
    infra: Infrastructure, isolation: str, settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    tenant_id = xero_sandbox.create_tenant(name="Bypassed Ltd")["tenant_id"]
    org, xero = uuid.uuid4(), Xero(xero_sandbox, tenant_id)
    async with (
        running_publisher(settings_for(xero_webhook_key=KEY)) as publisher,
        listening(publisher) as url,
    ):
        await publisher.connect(org, xero_sandbox, tenant_id)
        # The first poll (the baseline, right after connecting) is over before Xero changes.
        await eventually(lambda: first_poll(publisher, org), bool, timeout_s=15)
        settings = await publisher.http.get(f"/v1/organisations/{org}/publication-settings")
        assert settings.json()["bypass_detection_from"] == TODAY.isoformat()  # connection day
        future = await start_date_put(publisher, org, TODAY + timedelta(days=1))
        earlier = await start_date_put(publisher, org, TODAY - timedelta(days=30))
        later_again = await start_date_put(publisher, org, TODAY - timedelta(days=10))
        hook = {"client_id": CLIENT_ID, "url": url, "key": KEY}
        webhook = await xero.call("POST", "/_sandbox/webhooks", hook)

        bypassed = await xero.bill("RENT-1", TODAY)
        draft = await xero.bill("RENT-2", TODAY, status="DRAFT")
        old = await xero.bill("RENT-OLD", TODAY - timedelta(days=60))  # before the start date
        sale = [{"Description": "Advice", "Quantity": 1, "UnitAmount": "100.00",
                 "AccountCode": "200", "TaxType": "OUTPUT2"}]  # fmt: skip
        sold = await xero.bill("SALE-1", TODAY, Type="ACCREC", Contact={"Name": "A Customer"},
                               LineItems=sale)  # fmt: skip
        template_id = await xero.repeating_template()
        first, second = await xero.run(template_id), await xero.run(template_id)
        # Every bill of the tenant is announced on ledger.bills.v1, whoever entered it.
        await events(infra, isolation, LEDGER_BILLS, lambda e: len(announced(e, org)) >= 5)
        await xero.call("PATCH", f"{xero.tenant}/invoices/{draft}", {"Status": "AUTHORISED"})
        await xero.call("PATCH", f"{xero.tenant}/invoices/{bypassed}", {"DueDate": "2027-02-01"})
        await xero.call("PATCH", f"{xero.tenant}/invoices/{old}", {"Status": "VOIDED"})
        found = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: len(reports(e, org)) >= 3
        )
        await all_worked(publisher, tenant_id, at_least=8)
        # The poll reads the same bills again: it adds nothing either.
        await publisher.parts.change_poll.poll(org)
        again = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: len(reports(e, org)) >= 3
        )
        bills = await events(infra, isolation, LEDGER_BILLS, lambda e: len(announced(e, org)) >= 7)
        await xero.call("DELETE", f"/_sandbox/webhooks/{webhook['webhook_id']}")

    assert (future.status_code, future.json()["errors"][0]["rule"]) == (422, "not_in_future")
    assert earlier.status_code == 200
    assert earlier.json()["bypass_detection_from"] == (TODAY - timedelta(days=30)).isoformat()
    assert later_again.status_code == 422
    assert later_again.json()["errors"][0]["field"] == "bypass_detection_from"
    assert later_again.json()["errors"][0]["rule"] == "only_earlier"
    assert first["RepeatingInvoiceID"] == second["RepeatingInvoiceID"] == template_id
    assert first["Status"] == second["Status"] == "AUTHORISED"
    reported = {r["xero_invoice_id"]: r for r in reports(found, org)}
    (repeating,) = set(reported) & {first["InvoiceID"], second["InvoiceID"]}
    assert set(reported) == {bypassed, draft, repeating}
    assert len(reports(again, org)) == 3
    rent = reported[bypassed]
    assert rent["invoice_number"] == "RENT-1"
    assert rent["contact_name"] == "Northside Property Ltd"
    assert (rent["bill_date"], rent["currency"]) == (TODAY.isoformat(), "GBP")
    assert (rent["total"], rent["xero_status"]) == ("1200.00", "AUTHORISED")
    assert rent["repeating_invoice_id"] is None
    assert rent["seen_by"] == "webhook"
    assert reported[repeating]["repeating_invoice_id"] == template_id
    # Announced once per change of a field ingest's duplicate rules read: the due date is none,
    # a draft approved is one, a void removes the bill; the poll's reread announces nothing.
    recorded = "LedgerBillRecorded"
    ours = {bypassed, draft, old, sold, first["InvoiceID"], second["InvoiceID"]}
    assert sorted(a for a in announced(bills, org) if a[1] in ours) == sorted(
        [
            (recorded, bypassed, "AUTHORISED"),
            (recorded, draft, "DRAFT"),
            (recorded, draft, "AUTHORISED"),
            (recorded, old, "AUTHORISED"),
            ("LedgerBillRemoved", old, "VOIDED"),
            (recorded, first["InvoiceID"], "AUTHORISED"),
            (recorded, second["InvoiceID"], "AUTHORISED"),
        ]
    )
    rent_in_xero = next(
        b for b in reports(bills, org, recorded) if b["xero_invoice_id"] == bypassed
    )
    assert rent_in_xero["publication_id"] is None
    assert (rent_in_xero["invoice_number"], rent_in_xero["total"]) == ("RENT-1", "1200.00")


async def test_our_own_bill_whose_answer_was_lost_after_commit_is_never_reported(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
) -> None:
    tenant_id = xero_sandbox.create_tenant(name="Own Bills Ltd")["tenant_id"]
    org, bill = uuid.uuid4(), sample_bill("OWN-1")
    documents.add(bill.document.document_id, document_bytes(bill.document_reference))
    dated = {"issue_date": TODAY, "due_date": TODAY + timedelta(days=30)}
    authorised = authorised_request(bill.model_copy(update=dated))
    # The publisher tries again only after 1 s: the webhook tells of the bill well before.
    settings = settings_for(xero_webhook_key=KEY, worker_backoff_s=1.0)
    async with running_publisher(settings) as publisher, listening(publisher) as url:
        await publisher.connect(org, xero_sandbox, tenant_id)
        hook = {"client_id": CLIENT_ID, "url": url, "key": KEY}
        webhook = await Xero(xero_sandbox, tenant_id).call("POST", "/_sandbox/webhooks", hook)
        xero_sandbox.fault(
            fault="drop_after_commit",
            method="PUT",
            path="^/Invoices$",
            tenant_id=tenant_id,
            count=1,
        )
        await send(infra, isolation, APPROVAL_REQUESTS, org, authorised)
        (published,) = await settled(publisher, org, authorised.dext_item_id)
        await all_worked(publisher, tenant_id, at_least=2)
        first_seen = await publisher.runtime.pool.fetchval(
            "SELECT min(processed_at) FROM xero_change_events"
            " WHERE tenant_id = $1 AND event_category = 'INVOICE'",
            tenant_id,
        )
        found = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: "PublicationCompleted" in types(e)
        )
        recorded = await publisher.runtime.pool.fetchval(
            "SELECT count(*) FROM bypassed_bills WHERE organisation_id = $1", org
        )
        bills = await events(infra, isolation, LEDGER_BILLS, lambda e: bool(announced(e, org)))
        await Xero(xero_sandbox, tenant_id).call(
            "DELETE", f"/_sandbox/webhooks/{webhook['webhook_id']}"
        )

    assert published["state"] == "completed"
    assert xero_sandbox.stats()["faults_injected"] >= 1
    created = next(e for e in found if e["event_type"] == "BillCreated")
    # The webhook's bill was judged before the publisher had stored its id: the window the
    # publication's lookup key covers.
    assert first_seen < datetime.fromisoformat(created["occurred_at"])
    assert reports(found, org) == []
    assert recorded == 0
    # Announced as Countersign's own (so ingest never takes it for a bill entered in Xero).
    [own] = reports(bills, org, "LedgerBillRecorded")
    assert own["publication_id"] == str(published["publication_id"])
    assert own["xero_invoice_id"] == created["payload"]["xero_invoice_id"]
