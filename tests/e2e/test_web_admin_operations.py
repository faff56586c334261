"""An admin's interventions and connections in the web app, over HTTP against the pipeline:
the failed publication is listed, its line recoded and sent again (one bill, recoded, in
Xero); a request's place handed to another approver and then decided by force — each refused
first without what it needs, the error at its field; the Xero connection and the Dext
credential seen, rotated, revoked and disconnected, then QuickBooks Online connected through
Intuit's consent page; and an approver is shown none of it."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from countersign_dext_sandbox.samples import line
from countersign_harness.organisation import Organisation, Person
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.qbo_process import answer_consent
from countersign_harness.waiting import eventually

from tests.e2e.journeys import archive_in_xero, invoice
from tests.e2e.test_journey_approval_paths import publish
from tests.e2e.web_visitor import Visitor, signed_in

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its organisations are its own (conftest.py)


class Office:
    """An organisation with its admin and two approvers, its name and people unique."""

    def __init__(self, label: str) -> None:
        tag = uuid.uuid4().hex[:8]
        self.name = f"{label} {tag} Ltd"
        self.admin = Person(f"ada.{tag}@example.com", "Ada Admin", ("admin",))
        self.ann = f"ann.{tag}@example.com"
        self.bob = f"bob.{tag}@example.com"
        self.org: Organisation

    async def open(self, pipeline: Pipeline) -> Office:
        workflow = {
            "name": "Bills",
            "steps": [{"name": "Budget holder", "approvers": [{"approver": self.ann}]}],
            "default_approver": self.admin.email,
        }
        people = (Person(self.ann, "Ann Approver", ("approver",)),
                  Person(self.bob, "Bob Deputy", ("approver",)))  # fmt: skip
        self.org = await provision_organisation(
            pipeline.endpoints, workflow, people, name=self.name, admin=self.admin
        )
        return self

    async def signed_in(self, email: str) -> Visitor:
        return await signed_in(self.org, email)


def _error(html: str, field: str) -> str:
    """The error shown beside the field (and the field pointing to it), or nothing."""
    found = re.search(rf'<p class="error field-error" id="{field}-error">([^<]*)</p>', html)
    pointed = f'aria-describedby="{field}-error"' in html
    return found.group(1) if found and pointed else ""


async def test_an_admin_recodes_a_failed_publication_and_sends_it_again(
    pipeline: Pipeline,
) -> None:
    office = await Office("Failed Fix").open(pipeline)
    org = office.org
    metadata = invoice("adm-1", line("Printer paper, A4", "5", "21.10", account_code="461"))
    assert (await publish(org, metadata)).status_code == 202
    request = await org.request_of("adm-1", states=("in_approval",))
    rid = request["request_id"]
    await archive_in_xero(org, "461")
    await org.approve(office.ann, rid)
    await org.request_of("adm-1", states=("publish_failed",))
    # The page offers what approval last heard of the organisation's Xero accounts.
    await eventually(
        org.coding_options, lambda found: "453" in [a["code"] for a in found["accounts"]]
    )
    ada = await office.signed_in(office.admin.email)

    listed = await ada.http.get("/admin/failed-publications")
    shown = await ada.http.get(f"/admin/requests/{rid}")
    unreasoned = await ada.post(f"/admin/requests/{rid}/cancel-publication", reason=" ")
    recoded = await ada.post(
        f"/admin/requests/{rid}/lines/0", account_code="453", comment="461 is archived"
    )
    retried = await ada.post(f"/admin/requests/{rid}/retry-publication", comment="recoded")
    status = await org.wait_status("adm-1", ("published",))
    await ada.http.aclose()

    assert f'href="/admin/requests/{rid}"' in listed.text
    assert "Account code &#39;461&#39;" in shown.text or "Account code '461'" in shown.text
    assert 'id="account-0"' in shown.text and '<option value="453"' in shown.text
    assert unreasoned.status_code == 422 and _error(unreasoned.text, "reason")
    assert (recoded.status_code, recoded.headers["location"]) == (
        303,
        f"/admin/requests/{rid}?notice=recode",
    )
    assert retried.status_code == 303, retried.text
    assert status["status"] == "published"
    [bill] = org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-adm-1")
    assert [item["AccountCode"] for item in bill["LineItems"]] == ["453"]


async def test_an_admin_hands_a_place_over_then_decides_by_force(pipeline: Pipeline) -> None:
    office = await Office("Force").open(pipeline)
    org = office.org
    assert (await publish(org, invoice("adm-2"))).status_code == 202
    rid = (await org.request_of("adm-2", states=("in_approval",)))["request_id"]
    ada = await office.signed_in(office.admin.email)

    nobody = await ada.post(f"/admin/requests/{rid}/reassign", from_email=office.ann, to_email="")
    handed = await ada.post(
        f"/admin/requests/{rid}/reassign", from_email=office.ann, to_email=office.bob,
        comment="Ann is on leave",
    )  # fmt: skip
    awaiting = [a["email"] for a in (await org.request(rid))["current_step"]["approvers"]]
    unexplained = await ada.post(f"/admin/requests/{rid}/force-approve", comment="")
    forced = await ada.post(f"/admin/requests/{rid}/force-approve", comment="Paid by the owner")
    status = await org.wait_status("adm-2", ("published",))
    trail = [e["action"] for e in (await org.request(rid))["audit_trail"]]
    await ada.http.aclose()

    assert nobody.status_code == 422 and _error(nobody.text, "to_email")
    assert handed.status_code == 303, handed.text
    assert awaiting == [office.bob]
    assert unexplained.status_code == 422 and _error(unexplained.text, "comment")
    assert forced.status_code == 303, forced.text
    assert status["status"] == "published"
    assert "reassigned" in trail and "force_approved" in trail, trail


async def test_an_admin_sees_rotates_revokes_and_disconnects_connections(
    pipeline: Pipeline,
) -> None:
    office = await Office("Connections").open(pipeline)
    ada = await office.signed_in(office.admin.email)
    ann = await office.signed_in(office.ann)

    shown = await ada.http.get("/admin/connections")
    rotated = await ada.post("/admin/connections/dext/issue")
    after = await ada.http.get("/admin/connections")
    ended = await ada.post("/admin/connections/dext/end-previous")
    unconfirmed = await ada.post("/admin/connections/dext/revoke")
    connect = await ada.post("/admin/connections/xero/connect")
    disconnected = await ada.post("/admin/connections/xero/disconnect", confirm="yes")
    finally_shown = await ada.http.get("/admin/connections")
    company = f"{office.name} Inc"
    qbo_root = office.org.endpoints.qbo_root
    async with httpx.AsyncClient(timeout=10) as browser:
        spec = {"name": company, "country": "GB"}
        realm = await browser.post(f"{qbo_root}/_sandbox/companies", json=spec)
        to_intuit = await ada.post("/admin/connections/qbo/connect")
        back_to, query = answer_consent(to_intuit.headers["location"], realm.json()["realm_id"])
        landed = await browser.get(back_to, params=query)  # back at the publisher's callback
    qbo_shown = await ada.http.get("/admin/connections")
    not_for_ann = [
        await ann.http.get("/admin/connections"),
        await ann.http.get("/admin/failed-publications"),
        await ann.post("/admin/connections/dext/issue"),
    ]
    for visitor in (ada, ann):
        await visitor.http.aclose()

    assert re.search(r'id="ledger-status">connected<', shown.text), shown.text
    assert 'id="ledger-name">Xero<' in shown.text and 'id="qbo-connect"' not in shown.text
    assert 'id="dext-current"' in shown.text
    secret = re.search(r'<code id="dext-secret" class="secret">([^<]+)</code>', rotated.text)
    assert rotated.status_code == 200 and secret and len(secret.group(1)) > 20
    assert rotated.headers["Cache-Control"] == "no-store"  # the secret is never cached
    assert 'id="dext-previous"' in after.text and secret.group(1) not in after.text
    assert (ended.status_code, ended.headers["location"]) == (
        303,
        "/admin/connections?notice=dext-previous-ended",
    )
    assert unconfirmed.status_code == 422 and _error(unconfirmed.text, "dext-confirm")
    assert connect.status_code == 303
    assert connect.headers["location"].startswith(f"{office.org.endpoints.xero_root}/")
    assert disconnected.status_code == 303, disconnected.text
    assert re.search(r'id="ledger-status">disconnected<', finally_shown.text), finally_shown.text
    assert 'id="qbo-connect"' in finally_shown.text and 'id="xero-connect"' in finally_shown.text
    assert to_intuit.status_code == 303 and to_intuit.headers["location"].startswith(qbo_root)
    assert landed.status_code == 200 and 'data-outcome="connected"' in landed.text, landed.text
    assert 'id="ledger-name">QuickBooks Online<' in qbo_shown.text, qbo_shown.text
    assert f'id="ledger-tenant">{company}<' in qbo_shown.text
    assert (
        'id="xero-connect"' not in qbo_shown.text
        and "Disconnect QuickBooks Online" in qbo_shown.text
    )
    assert [a.status_code for a in not_for_ann] == [403, 403, 403]
    assert all('id="admins-only"' in a.text for a in not_for_ann)
