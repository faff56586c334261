"""Changes after approval, from the Xero sandbox to the publisher over real HTTP, on real
Kafka and Postgres: a bill Countersign published, then edited in Xero (its total), then
voided, is reported exactly twice — each time with what was approved and what Xero has now —
and Countersign's own writes on it (history notes, attachments) are reported never."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from countersign_contracts import APPROVAL_REQUESTS, LEDGER_PUBLICATIONS
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.publisher_samples import authorised_request, document_bytes, sample_bill
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import CLIENT_ID, XeroSandbox

from tests.integration.test_publisher_bypass import first_poll
from tests.integration.test_publisher_publication import events, send, settled, types
from tests.integration.test_publisher_xero_webhooks import KEY, listening

pytestmark = pytest.mark.integration

CHANGED = "BillChangedInXero"


async def _control(sandbox: XeroSandbox, method: str, path: str, body: Any) -> Any:
    async with httpx.AsyncClient(base_url=sandbox.root, timeout=20) as control:
        answer = await control.request(method, path, json=body)
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


async def _all_worked(
    publisher: RunningPublisher, tenant_id: str, at_least: int = 1
) -> list[asyncpg.Record]:
    """The webhook events of the tenant, once there are `at_least` and each is worked."""

    async def rows() -> list[asyncpg.Record]:
        return await publisher.runtime.pool.fetch(
            "SELECT outcome, processed_at FROM xero_change_events WHERE tenant_id = $1",
            tenant_id,
        )

    return await eventually(
        rows,
        lambda found: len(found) >= at_least and all(r["processed_at"] for r in found),
        timeout_s=30,
    )


def _changes(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["payload"] for e in found if e["event_type"] == CHANGED]


async def test_a_published_bill_edited_then_voided_in_xero_is_reported_once_for_each_change(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
) -> None:
    tenant_id = xero_sandbox.create_tenant(name="Changed After Ltd")["tenant_id"]
    org, bill = uuid.uuid4(), sample_bill("CH-1")
    documents.add(bill.document.document_id, document_bytes(bill.document_reference))
    authorised = authorised_request(bill)
    async with (
        running_publisher(settings_for(xero_webhook_key=KEY)) as publisher,
        listening(publisher) as url,
    ):
        await publisher.connect(org, xero_sandbox, tenant_id)
        # The first poll (right after connecting) is over, so the webhooks see the edits first.
        await eventually(lambda: first_poll(publisher, org), bool, timeout_s=15)
        hook = {"client_id": CLIENT_ID, "url": url, "key": KEY}
        webhook = await _control(xero_sandbox, "POST", "/_sandbox/webhooks", hook)
        await send(infra, isolation, APPROVAL_REQUESTS, org, authorised)
        (published,) = await settled(publisher, org, authorised.dext_item_id)
        # The creation's and Countersign's own writes' deliveries (the sandbox sends them late).
        own_writes = await _all_worked(publisher, tenant_id, at_least=2)
        invoice = f"/_sandbox/tenants/{tenant_id}/invoices/{published['xero_invoice_id']}"

        line = {"Description": "Printer paper, A4, 5 boxes", "Quantity": 5,
                "UnitAmount": "221.10", "AccountCode": "429", "TaxType": "INPUT2",
                "Tracking": [{"Name": "Region", "Option": "North"}]}  # fmt: skip
        await _control(xero_sandbox, "PATCH", invoice, {"LineItems": [line]})
        edited = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: types(e).count(CHANGED) == 1
        )
        await _control(xero_sandbox, "PATCH", invoice, {"Status": "VOIDED"})
        voided = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: types(e).count(CHANGED) == 2
        )
        await _all_worked(publisher, tenant_id)
        await _control(xero_sandbox, "DELETE", f"/_sandbox/webhooks/{webhook['webhook_id']}", None)

    assert published["state"] == "completed"
    assert len(own_writes) >= 2  # the bill's creation and Countersign's writes on it, worked
    # Exactly two, the first the edit's: Countersign's own writes reported nothing before it.
    first, second = _changes(voided)
    assert _changes(edited) == [first]
    for change in (first, second):
        assert change["request_id"] == str(authorised.request_id)
        assert change["dext_item_id"] == authorised.dext_item_id
        assert change["xero_invoice_id"] == published["xero_invoice_id"]
        assert change["seen_by"] == "webhook"
    assert first["differences"] == [
        {"field": "total", "approved": "126.60", "now": "1326.60"},
        {"field": "lines[0].line_amount", "approved": "105.50", "now": "1105.50"},
    ]
    assert first["xero_status"] == "AUTHORISED"
    assert second["differences"] == [
        {"field": "total", "approved": "126.60", "now": "1326.60"},
        {"field": "status", "approved": "AUTHORISED", "now": "VOIDED"},
        {"field": "lines[0].line_amount", "approved": "105.50", "now": "1105.50"},
    ]
    assert second["xero_status"] == "VOIDED"
    assert second["xero_updated_at"] > first["xero_updated_at"]
