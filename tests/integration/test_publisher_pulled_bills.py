"""The via-Xero pull (ADR 0058), from the Xero sandbox to the publisher over real HTTP (signed
webhooks), on real Kafka and Postgres: once approval announces an organisation in the via_xero
mode, a bill SUBMITTED in Xero is told on ledger.xero-bills.v1, an edit while it is still
SUBMITTED is told as its next version, and its leaving SUBMITTED once; drafts never, and a
bill submitted while the organisation was in the direct mode not. What the publisher does with
an approved or rejected pulled bill: test_publisher_pulled_publications.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from countersign_contracts import (
    LEDGER_XERO_BILLS,
    ORGANISATIONS,
    LedgerMode,
    OrganisationStatus,
    OrganisationUpdated,
)
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import CLIENT_ID, XeroSandbox

from tests.integration.test_publisher_bypass import Xero, all_worked, first_poll
from tests.integration.test_publisher_publication import events, send
from tests.integration.test_publisher_xero_webhooks import KEY, listening

pytestmark = pytest.mark.integration

TODAY = datetime.now(UTC).date()


def via_xero(org: uuid.UUID) -> OrganisationUpdated:
    return OrganisationUpdated(
        organisation_id=org,
        name="Pulled Ltd",
        base_currency="GBP",
        timezone="Europe/London",
        status=OrganisationStatus.ACTIVE,
        ledger_mode=LedgerMode.VIA_XERO,
        via_xero_requester=uuid.uuid4(),
    )


async def mode_kept(publisher: RunningPublisher, org: uuid.UUID) -> Any:
    return await publisher.runtime.pool.fetchval(
        "SELECT ledger_mode FROM ledger_modes WHERE organisation_id = $1", org
    )


async def pulled(publisher: RunningPublisher, invoice_id: str, version: int, status: str) -> None:
    """Waits until the bill's state was worked and told (a webhook fetches the bill as it is
    then: an edit made before the last one was worked would never be seen)."""

    async def last() -> Any:
        return await publisher.runtime.pool.fetchrow(
            "SELECT version, status FROM pulled_bills WHERE xero_invoice_id = $1",
            uuid.UUID(invoice_id),
        )

    await eventually(last, lambda row: row is not None and tuple(row) == (version, status))


def told(found: list[dict[str, Any]], org: uuid.UUID) -> list[tuple[str, str, Any]]:
    return [
        (
            e["payload"]["xero_invoice_id"],
            e["event_type"],
            e["payload"].get("version") or e["payload"].get("xero_status"),
        )
        for e in found
        if e["organisation_id"] == str(org)
    ]


async def test_a_bill_submitted_in_xero_is_pulled_with_each_newer_state_and_its_leaving(
    infra: Infrastructure, isolation: str, settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    tenant_id = xero_sandbox.create_tenant(name="Pulled Ltd")["tenant_id"]
    org, xero = uuid.uuid4(), Xero(xero_sandbox, tenant_id)
    async with (
        running_publisher(settings_for(xero_webhook_key=KEY)) as publisher,
        listening(publisher) as url,
    ):
        await publisher.connect(org, xero_sandbox, tenant_id)
        await eventually(lambda: first_poll(publisher, org), bool, timeout_s=15)
        hook = {"client_id": CLIENT_ID, "url": url, "key": KEY}
        webhook = await xero.call("POST", "/_sandbox/webhooks", hook)
        before = await xero.bill("SUB-DIRECT", TODAY, status="SUBMITTED")
        await all_worked(publisher, tenant_id, at_least=1)  # seen while still direct

        await send(infra, isolation, ORGANISATIONS, org, via_xero(org))
        await eventually(lambda: mode_kept(publisher, org), lambda m: m == "via_xero")
        submitted = await xero.bill("SUB-1", TODAY, status="SUBMITTED")
        await xero.bill("DRAFT-1", TODAY, status="DRAFT")
        await pulled(publisher, submitted, 1, "SUBMITTED")
        edited = [{"Description": "Rent, corrected", "Quantity": 1, "UnitAmount": "900.00",
                   "AccountCode": "429", "TaxType": "INPUT2"}]  # fmt: skip
        path = f"{xero.tenant}/invoices/{submitted}"
        await xero.call("PATCH", path, {"LineItems": edited})
        await pulled(publisher, submitted, 2, "SUBMITTED")
        await xero.call("PATCH", path, {"DueDate": (TODAY + timedelta(days=40)).isoformat()})
        await pulled(publisher, submitted, 3, "SUBMITTED")
        await xero.call("PATCH", path, {"Status": "AUTHORISED"})
        await pulled(publisher, submitted, 3, "AUTHORISED")
        found = await events(infra, isolation, LEDGER_XERO_BILLS, lambda e: len(told(e, org)) >= 4)
        await all_worked(publisher, tenant_id, at_least=6)
        await publisher.parts.change_poll.poll(org)  # reads every bill again: tells nothing
        again = await events(infra, isolation, LEDGER_XERO_BILLS, lambda e: len(told(e, org)) >= 4)
        await xero.call("DELETE", f"/_sandbox/webhooks/{webhook['webhook_id']}")

    assert (
        told(found, org)
        == told(again, org)
        == [
            (submitted, "BillSubmittedInXero", 1),
            (submitted, "BillSubmittedInXero", 2),
            (submitted, "BillSubmittedInXero", 3),
            (submitted, "BillLeftSubmittedInXero", "AUTHORISED"),
        ]
    )
    assert before not in {e["payload"]["xero_invoice_id"] for e in found}
    first, second = (e["payload"] for e in found[:2])
    assert first["bill"]["invoice_number"] == "SUB-1"
    assert first["bill"]["total"] == "1200.00" and second["bill"]["total"] == "1080.00"
    assert second["bill"]["lines"][0]["description"] == "Rent, corrected"
    assert first["seen_by"] == "webhook"
    assert all(e["subject_id"] == submitted for e in found)
