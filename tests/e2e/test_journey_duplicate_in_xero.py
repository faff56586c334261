"""A supplier invoice already entered in Xero by hand, then published from Dext, end to end on
the shared pipeline: Xero's webhook tells the publisher of the bill, which announces it on
ledger.bills.v1; ingest keeps it as a likely-duplicate candidate; the Dext item is flagged on
its request (API and the approver's page), naming the bill in Xero."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from countersign_contracts import COST_ITEMS, LEDGER_BILLS
from countersign_harness.kafka import read_until
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.waiting import eventually

from tests.e2e.journeys import ANN, PEOPLE, WORKFLOW, invoice
from tests.e2e.test_journey_approval_paths import publish
from tests.e2e.web_visitor import signed_in

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # the webhook it registers is removed before it ends (conftest.py)

ORGANISATION = "Entered Twice Ltd"
NUMBER = "NW-7731"


def entered_in_xero(org: Organisation) -> str:
    """The supplier's invoice typed into Xero by hand, approved there: its InvoiceID."""
    day = date.today() - timedelta(days=3)
    bill = {"Type": "ACCPAY", "Contact": {"Name": "Northwind Stationery Ltd"},
            "Date": day.isoformat(), "DueDate": (day + timedelta(days=30)).isoformat(),
            "InvoiceNumber": NUMBER, "Status": "AUTHORISED",
            "LineItems": [{"Description": "Printer paper", "Quantity": 5, "UnitAmount": "21.10",
                           "AccountCode": "461", "TaxType": "INPUT2"}]}  # fmt: skip
    created = org.xero_control("POST", f"/_sandbox/tenants/{org.tenant_id}/invoices", bill)
    return str(created["InvoiceID"])


async def _announced(pipeline: Pipeline, invoice_id: str) -> dict[str, Any]:
    """The publisher's LedgerBillRecorded for the bill."""
    records = await read_until(
        pipeline.infra.kafka_bootstrap_servers,
        f"{pipeline.isolation}.{LEDGER_BILLS}",
        lambda found: any(r.key == invoice_id.encode() for r in found),
        60,
    )
    [found] = [json.loads(r.value) for r in records if r.key == invoice_id.encode()]
    return dict(found["payload"])


async def _flagged_copy(pipeline: Pipeline, org: Organisation) -> tuple[str, list[str]]:
    """The invoice published from Dext (again, as a new item, when it came in the moment
    between the event reaching Kafka and ingest keeping it): the item whose CostItemSubmitted
    names a bill in Xero, and the items published before it."""
    published: list[str] = []

    async def attempt() -> dict[str, Any]:
        metadata = invoice(f"entered-{uuid.uuid4().hex[:6]}")
        published.append(str(metadata["dext_item_id"]))
        metadata["document_reference"] = NUMBER
        assert (await publish(org, metadata)).status_code == 202, metadata
        key = str(metadata["dext_item_id"]).encode()
        records = await read_until(
            pipeline.infra.kafka_bootstrap_servers,
            f"{pipeline.isolation}.{COST_ITEMS}",
            lambda found: any(r.key == key for r in found),
            30,
        )
        [submitted] = [json.loads(r.value) for r in records if r.key == key]
        return dict(submitted["payload"])

    found = await eventually(
        attempt, lambda p: bool(p["possible_duplicates_in_xero"]), timeout_s=30
    )
    return str(found["dext_item_id"]), published[:-1]


@pytest.mark.usefixtures("xero_webhook")
async def test_an_invoice_already_entered_in_xero_is_flagged_naming_the_xero_bill(
    pipeline: Pipeline,
) -> None:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name=ORGANISATION)
    invoice_id = entered_in_xero(org)
    announced = await _announced(pipeline, invoice_id)
    item, earlier = await _flagged_copy(pipeline, org)
    request = await org.request_of(item, states=("in_approval",))
    visitor = await signed_in(org, ANN)
    page = (await visitor.http.get(f"/requests/{request['request_id']}")).text
    await visitor.http.aclose()

    assert (announced["invoice_number"], announced["publication_id"]) == (NUMBER, None)
    assert request["possible_duplicates_in_xero"] == [
        {
            "xero_invoice_id": invoice_id,
            "invoice_number": NUMBER,
            "contact_name": "Northwind Stationery Ltd",
            "reason": "same_invoice_number",
        }
    ]
    # Copies published before ingest knew the bill are flagged as items, if any.
    assert [d["dext_item_id"] for d in request["possible_duplicates"]] == sorted(earlier)
    assert 'id="possible-duplicates"' in page and 'class="duplicate-in-xero"' in page
    assert f"Bill {NUMBER} from Northwind Stationery Ltd, entered in Xero" in page
    assert f"<code>{invoice_id}</code>" in page
