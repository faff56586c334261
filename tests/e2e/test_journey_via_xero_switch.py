"""Switching an organisation from the direct mode to via-Xero and back loses nothing (ADR 0058),
end to end on the shared pipeline: a Dext item in approval when the organisation switches to
via-Xero carries on to its own new bill; a new Dext item is refused while bills start in Xero
(409, nothing stored) and taken again once the organisation is back in the direct mode; a bill
pulled from Xero while in via-Xero is still approved and authorised in Xero after the switch
back; nothing is created twice."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from countersign_dext_sandbox.samples import line
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.via_xero import pulled_item, submit_in_xero, switch_ledger_mode
from countersign_harness.waiting import eventually

from tests.e2e.journeys import ANN, invoice, original
from tests.e2e.test_journey_via_xero import BOB, PAT, PEOPLE, RENT, REX, WORKFLOW

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("xero_webhook")]
SHARED_PIPELINE = True


async def _publish(org: Organisation, item: str) -> httpx.Response:
    metadata = invoice(item, line("Printer paper, A4, 5 boxes", "5", "21.10", account_code="429"))
    async with org.dext() as dext:
        return await dext.publish_cost_item(metadata, f"{item}.pdf", original(item))


async def _refused(org: Organisation) -> tuple[str, httpx.Response]:
    """A new item, until ingest (which learns the mode from approval's event) refuses one; an
    item taken before it knew carries on like the one in approval at the switch."""
    tried: list[str] = []

    async def attempt() -> httpx.Response:
        tried.append(f"while-pulling-{uuid.uuid4().hex[:6]}")  # Xero refuses a Url with "xero"
        return await _publish(org, tried[-1])

    refused = await eventually(attempt, lambda answer: answer.status_code == 409, timeout_s=30)
    return tried[-1], refused


async def _approved(org: Organisation, item: str) -> dict[str, Any]:
    """Reviewed and approved at both steps; its publication once it ended."""
    request = await org.request_of(item, 1, ("in_review",))
    done = await org.act(REX, request["request_id"], "review", {"comment": "Fine"})
    assert done.status_code == 200, done.text
    await org.request_of(item, 1, ("in_approval",))
    await org.approve(ANN, request["request_id"])
    await eventually(
        lambda: org.request(request["request_id"]),
        lambda found: (
            found["current_step"] is not None and found["current_step"]["name"] == "Finance"
        ),
    )
    await org.approve(BOB, request["request_id"])
    return await org.wait_publication(item)


async def test_a_switch_to_via_xero_and_back_loses_nothing(pipeline: Pipeline) -> None:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name="Switching Ltd")
    assert (await _publish(org, "before-switch")).status_code == 202
    await org.request_of("before-switch", 1, ("in_review",))

    await switch_ledger_mode(org, "via_xero", requester=PAT)
    item, refused = await _refused(org)
    pulled = submit_in_xero(org, "HR-2001", [RENT])
    await org.request_of(pulled_item(pulled), 1, ("in_review",))
    carried_on = await _approved(org, "before-switch")

    await switch_ledger_mode(org, "direct")
    pulled_publication = await _approved(org, pulled_item(pulled))
    taken = await eventually(
        lambda: _publish(org, item), lambda answer: answer.status_code == 202, timeout_s=30
    )
    after = await _approved(org, item)

    assert refused.json()["type"].endswith("organisation-via-xero"), refused.text
    for publication in (carried_on, pulled_publication, after):
        assert publication["state"] == "completed", publication["last_error"]
    assert taken.status_code == 202
    bills = org.xero_invoices()
    numbers = sorted(b["InvoiceNumber"] for b in bills)
    assert numbers == sorted(["HR-2001", "INV-before-switch", f"INV-{item}"])
    assert {b["Status"] for b in bills} == {"AUTHORISED"}
