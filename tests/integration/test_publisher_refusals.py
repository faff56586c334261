"""Every kind of content Xero refuses fails the publication at once (no retry), with Xero's own
message, and nothing is published twice when the cause is fixed and the publication retried."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from countersign_contracts import Bill
from countersign_harness.document_server import DocumentServer
from countersign_harness.publisher import running_publisher
from countersign_harness.publisher_samples import (
    authorised_request,
    document_bytes,
    sample_bill,
)
from countersign_harness.xero_process import XeroSandbox

pytestmark = pytest.mark.integration

REFUSALS = {
    "archived account": (dict(account_code="999"), "create_bill", "999"),
    "bad tax type": (dict(tax_type="NOSUCHTAX"), "create_bill", "NOSUCHTAX"),
    "currency not enabled": (dict(currency="CHF"), "create_bill", "CHF"),
    "unknown bank account": (dict(paid_from="555"), "record_payment", "account for the payment"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
async def test_content_xero_refuses_fails_without_retry_and_names_xeros_message(
    case: str, settings_for: Any, xero_sandbox: XeroSandbox, documents: DocumentServer
) -> None:
    changes, failing_step, named = REFUSALS[case]
    bill: Bill = sample_bill(f"INV-R-{case.replace(' ', '-')}", **changes)
    documents.add(bill.document.document_id, document_bytes(bill.document_reference))
    tenant = xero_sandbox.create_tenant()
    org = uuid.uuid4()
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        request = authorised_request(bill)
        await publisher.stage_bill(org, request)
        await publisher.parts.worker.run_until_idle()
        (publication,) = await publisher.publications(org, request.dext_item_id)
        event = await publisher.runtime.pool.fetchval(
            "SELECT payload->'payload' FROM outbox WHERE payload->>'event_type' ="
            " 'PublicationFailed'"
        )
    assert publication["state"] == "failed", publication
    assert publication["attempt"] == 0  # never retried
    error = publication["last_error"]
    assert error["step"] == failing_step
    assert any(named in message for message in error["messages"]), error
    assert '"retryable": false' in event
