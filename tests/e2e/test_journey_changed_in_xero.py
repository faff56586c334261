"""An approved bill changed in Xero after Countersign published it, end to end on the shared
pipeline: its total edited in the Xero sandbox, Xero's webhook tells the publisher, and the
organisation's admin is mailed what was approved beside what Xero has now; the request (approval
API and its web page) shows the change."""

from __future__ import annotations

import json

import pytest
from countersign_dext_sandbox.samples import line
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import ADA, provision_organisation
from countersign_harness.waiting import eventually

from tests.e2e.journeys import ANN, PEOPLE, WORKFLOW, invoice
from tests.e2e.mailbox import Message, linking, wait_for_mail
from tests.e2e.test_journey_approval_paths import publish
from tests.e2e.web_visitor import signed_in

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # the webhook it registers is removed before it ends (conftest.py)

ORGANISATION = "Changed In Xero Ltd"
ITEM = "edited-after-approval"  # no "xero" in it: Xero refuses a Url with the word


async def _mail_about(org: Organisation, request_id: str) -> Message:
    """The admin's mail that links to the request and says it changed in Xero."""

    def about(message: Message) -> bool:
        changed = message["subject"].startswith("Changed in Xero after approval")
        return changed and linking(message, f"/requests/{request_id}")

    [found] = await wait_for_mail(org, ADA.email, about)
    return found


@pytest.mark.usefixtures("xero_webhook")
async def test_an_approved_bills_total_edited_in_xero_is_mailed_to_admins_and_shown(
    pipeline: Pipeline,
) -> None:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name=ORGANISATION)
    paper = line("Printer paper, A4, 5 boxes", "5", "21.10", account_code="461")
    assert (await publish(org, invoice(ITEM, paper))).status_code == 202
    request = await org.request_of(ITEM, states=("in_approval",))
    await org.approve(ANN, request["request_id"])
    publication = await org.wait_publication(ITEM)
    assert publication["state"] == "completed", json.dumps(publication)
    [bill] = org.xero_invoices(lambda i: i["InvoiceNumber"] == f"INV-{ITEM}")
    edited = {**{k: bill["LineItems"][0][k] for k in ("Description", "Quantity", "AccountCode",
              "TaxType")}, "UnitAmount": "221.10"}  # fmt: skip
    org.xero_control(
        "PATCH", f"/_sandbox/tenants/{org.tenant_id}/invoices/{bill['InvoiceID']}",
        {"LineItems": [edited]},
    )  # fmt: skip

    mail = await _mail_about(org, request["request_id"])
    shown = await eventually(
        lambda: org.request(request["request_id"]),
        lambda found: any(e["action"] == "changed_in_xero" for e in found["audit_trail"]),
        timeout_s=30,
    )
    visitor = await signed_in(org, ANN)
    page = (await visitor.http.get(f"/requests/{request['request_id']}")).text
    await visitor.http.aclose()

    assert "  - Total: approved 126.60, now in Xero 1326.60" in mail["text"], mail["text"]
    assert "<td>126.60</td><td><strong>1326.60</strong></td>" in mail["html"]
    [entry] = [e for e in shown["audit_trail"] if e["action"] == "changed_in_xero"]
    assert entry["actor"]["name"] == "Xero"
    assert {"field": "total", "before": "126.60", "after": "1326.60"} in entry["changes"]
    assert shown["state"] == "published"
    assert 'id="changed-in-xero"' in page and "Changed in Xero after approval" in page
    assert '<td class="approved">126.60</td><td class="now">1326.60</td>' in page
