"""The operator suspends an organisation and reactivates it, end to end: while suspended,
ingest refuses Dext's items (403), approval refuses decisions (409), the publisher pauses its
publications without failing them and stops its syncs; reactivated, everything resumes with
nothing lost and nothing duplicated."""

from __future__ import annotations

import uuid

import httpx
import pytest
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.waiting import eventually
from countersign_harness.xero_consent import XeroConsent, outcome

from tests.e2e.journeys import ANN, PEOPLE, WORKFLOW, invoice
from tests.e2e.test_journey_approval_paths import publish, settled

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)

SUSPENDED = "urn:countersign:problem:organisation-suspended"


async def _set_status(org: Organisation, status: str) -> None:
    endpoints = org.endpoints
    async with httpx.AsyncClient(timeout=10) as http:
        changed = await http.patch(
            f"{endpoints.approval}/v1/organisations/{org.organisation_id}",
            json={"status": status},
            headers=endpoints.operator,
        )
    assert changed.status_code == 200, changed.text


async def _supplier_sync(org: Organisation) -> httpx.Response:
    token = await org.access_token()
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.post(
            f"{org.endpoints.publisher}/v1/organisations/{org.organisation_id}/supplier-sync",
            headers={"Authorization": f"Bearer {token}"},
        )


async def _refused_publication(org: Organisation) -> httpx.Response:
    """A new item from Dext, until ingest (which learns of the suspension from approval's
    event) refuses one."""

    async def attempt() -> httpx.Response:
        return await publish(org, invoice(f"late-{uuid.uuid4().hex[:6]}"))

    refused: httpx.Response = await eventually(
        attempt, lambda answer: answer.status_code == 403, timeout_s=30
    )
    return refused


async def test_a_suspended_organisation_pauses_everywhere_and_resumes_losing_nothing(
    pipeline: Pipeline,
) -> None:
    org = await provision_organisation(
        pipeline.endpoints, WORKFLOW, PEOPLE, name="Suspended Ltd", connect_xero=False
    )
    # Authorised before the suspension, its publication waits for a Xero connection.
    assert (await publish(org, invoice("susp-1"))).status_code == 202
    first = await org.request_of("susp-1", states=("in_approval",))
    await org.approve(ANN, first["request_id"])
    await org.request_of("susp-1", states=("authorised",))
    assert (await publish(org, invoice("susp-2"))).status_code == 202
    second = await org.request_of("susp-2", states=("in_approval",))

    await _set_status(org, "suspended")
    decided = await org.act(ANN, second["request_id"], "approve", {"comment": "ok"})
    refused = await _refused_publication(org)
    paused = await eventually(
        lambda: _supplier_sync(org), lambda r: r.status_code == 409, timeout_s=30
    )
    consent = XeroConsent(org)  # the admin connects Xero meanwhile: nothing may go out yet
    try:
        await consent.prepare([org.tenant_id])
        connected = await consent.connect([org.tenant_id])
    finally:
        await consent.aclose()
    waiting = await org.wait_publication("susp-1", states=("completed",), timeout_s=5)

    assert (decided.status_code, decided.json()["type"]) == (409, SUSPENDED)
    assert refused.json()["type"] == SUSPENDED, refused.text
    assert paused.json()["type"] == SUSPENDED
    assert outcome(connected) == "connected"
    assert waiting["state"] == "recorded"  # paused, not failed
    assert org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-susp-1") == []

    await _set_status(org, "active")
    first_done = await settled(org, "susp-1")
    approved = await eventually(
        lambda: org.act(ANN, second["request_id"], "approve", {"comment": "ok"}),
        lambda r: r.status_code == 200,
        timeout_s=10,
    )
    second_done = await settled(org, "susp-2")
    after = await eventually(
        lambda: publish(org, invoice("susp-3")), lambda r: r.status_code == 202, timeout_s=30
    )

    assert (first_done["status"], second_done["status"]) == ("published", "published")
    assert approved.status_code == 200 and after.status_code == 202
    for item in ("susp-1", "susp-2"):
        assert len(org.xero_invoices(lambda i, n=item: i["InvoiceNumber"] == f"INV-{n}")) == 1
    assert (await _supplier_sync(org)).status_code == 200
