"""The same supplier invoice published twice from Dext, as two Dext items, end to end: the
second request is flagged as a likely duplicate and links the first (API, the approver's page
and inbox row), the first is not flagged; once the admin blocks likely duplicates, ingest
(on the web app's settings page) refuses a third copy with a problem naming the others."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import ADA, provision_organisation
from countersign_harness.waiting import eventually

from tests.e2e.journeys import ANN, PEOPLE, WORKFLOW, invoice
from tests.e2e.test_journey_approval_paths import publish
from tests.e2e.web_visitor import signed_in

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)

# Ann is a user in many organisations of the shared pipeline: this one's name tells its link.
ORGANISATION = "Duplicate Invoices Ltd"
LIKELY_DUPLICATE = "urn:countersign:problem:likely-duplicate"


def the_invoice(item: str) -> dict[str, Any]:
    """Supplier invoice NW-4410, as Dext item ``item``."""
    metadata = invoice(item)
    metadata["document_reference"] = "NW-4410"
    return metadata


async def _block_on_the_settings_page(org: Organisation) -> str:
    """Ada, the admin, chooses Block on the web app's settings page; the page after saving."""
    admin = await signed_in(org, ADA.email)
    saved = await admin.post("/admin/settings", duplicate_policy="block")
    assert (saved.status_code, saved.headers["location"]) == (303, "/admin/settings?saved=1")
    shown = (await admin.http.get("/admin/settings?saved=1")).text
    await admin.http.aclose()
    return shown


async def _refused_copy(org: Organisation) -> httpx.Response:
    """A new copy of the invoice, until ingest (which learns the policy from approval's event)
    refuses one."""

    async def attempt() -> httpx.Response:
        return await publish(org, the_invoice(f"dup-late-{uuid.uuid4().hex[:6]}"))

    refused: httpx.Response = await eventually(
        attempt, lambda answer: answer.status_code == 409, timeout_s=30
    )
    return refused


async def test_the_second_copy_of_an_invoice_is_flagged_and_linked_and_may_be_blocked(
    pipeline: Pipeline,
) -> None:
    org = await provision_organisation(
        pipeline.endpoints, WORKFLOW, PEOPLE, name=ORGANISATION, connect_xero=False
    )
    assert (await publish(org, the_invoice("dup-1"))).status_code == 202
    first = await org.request_of("dup-1", states=("in_approval",))
    assert (await publish(org, the_invoice("dup-2"))).status_code == 202
    second = await org.request_of("dup-2", states=("in_approval",))
    first_again = await org.request(first["request_id"])
    visitor = await signed_in(org, ANN)
    page = (await visitor.http.get(f"/requests/{second['request_id']}")).text
    first_page = (await visitor.http.get(f"/requests/{first['request_id']}")).text
    inbox = (await visitor.http.get("/inbox")).text
    await visitor.http.aclose()

    assert second["possible_duplicates"] == [
        {
            "dext_item_id": "dup-1",
            "request_id": first["request_id"],
            "reason": "same_invoice_number",
        }
    ]
    assert first_again["possible_duplicates"] == []
    assert 'id="possible-duplicates"' in page
    assert f'href="/requests/{first["request_id"]}"' in page
    assert "same supplier and invoice number" in page
    assert 'id="possible-duplicates"' not in first_page
    assert inbox.count("likely duplicate") == 1

    settings_page = await _block_on_the_settings_page(org)
    refused = await _refused_copy(org)

    assert 'value="block" id="duplicate-policy-block" checked' in settings_page
    problem = refused.json()
    assert problem["type"] == LIKELY_DUPLICATE, refused.text
    assert "looks like item dup-1" in problem["detail"]
    assert {"dext_item_id": "dup-1", "reason": "same_invoice_number"} in problem["duplicates"]
