"""An admin uses the web app's admin pages the way people do, in Debian's headless Chromium:
signs in by e-mailed link, invites a person (no token shown: they sign in with their address),
and builds a two-step workflow in the editor whose second step routes by an approver-matrix
rule — first with an approver who is nobody, which approval refuses at that very field, then
right. The saved workflow takes effect: a bill from the rule's supplier waits for the rule's
approver at step two, any other bill for the step's default approver. Someone who is not an
admin gets the 403 page, as approval refuses them.
``make screenshots`` keeps the pictures (COUNTERSIGN_SCREENSHOTS)."""

from __future__ import annotations

import pytest
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import ADA, provision_organisation
from selenium.webdriver import Chrome
from selenium.webdriver.support.select import Select

from tests.e2e.accessibility import unlabelled
from tests.e2e.browsing import element, fits_narrow, press, screenshot, sign_in
from tests.e2e.journeys import ANN, PEOPLE, WORKFLOW, invoice
from tests.e2e.test_journey_approval_paths import publish
from tests.e2e.web_visitor import signed_in

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its organisation is its own; it changes nothing others see

ORGANISATION = "Web Admin Ltd"  # Ada is an admin in every organisation: the link names it
BOB = "bob@example.com"
ACME = "Acme Tools Ltd"


def _type(browser: Chrome, element_id: str, text: str) -> None:
    field = element(browser, element_id)
    field.clear()
    field.send_keys(text)


def _invite_bob(browser: Chrome) -> str:
    press(browser, "nav-people")
    _type(browser, "name", "Bob Buyer")
    _type(browser, "email", BOB)
    # approver is ticked by default
    press(browser, "invite")
    notice = element(browser, "notice").text
    screenshot(browser, "admin-people")
    return notice


def _build_second_step(browser: Chrome, approver: str) -> None:
    """Step 2, "Finance": the supplier matches Acme → ``approver``; otherwise Ada."""
    press(browser, "nav-workflow")
    press(browser, "add-step")  # the page comes back with a blank step 2 (one blank row)
    _type(browser, "step-1-name", "Finance")
    _type(browser, "step-1-row-0-approver", approver)
    press(browser, "add-step-1-row-0-cond")
    Select(element(browser, "step-1-row-0-cond-0-field")).select_by_value("supplier")
    Select(element(browser, "step-1-row-0-cond-0-operator")).select_by_value("matches")
    _type(browser, "step-1-row-0-cond-0-values", ACME)
    _type(browser, "step-1-default_approver", ADA.email)


async def _awaited_at_step_two(org: Organisation, item: str, supplier: str) -> list[str]:
    """Who the second step of the item's request waits for, once Ann approved the first."""
    assert (await publish(org, invoice(item, supplier=supplier))).status_code == 202
    request = await org.request_of(item, states=("in_approval",))
    await org.approve(ANN, request["request_id"])
    found = await org.request(request["request_id"])
    assert found["current_step"]["name"] == "Finance", found
    return [a["email"] for a in found["current_step"]["approvers"]]


async def test_an_admin_invites_and_builds_a_two_step_workflow_in_the_browser(
    pipeline: Pipeline, chromium: Chrome
) -> None:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name=ORGANISATION)
    chromium.set_window_size(1280, 900)
    await sign_in(chromium, org, ADA.email)

    invited = _invite_bob(chromium)
    people_page = element(chromium, "people").text
    unlabelled_fields = unlabelled(chromium)
    narrow_people = fits_narrow(chromium)
    _build_second_step(chromium, "ghost@example.com")  # nobody: approval refuses it
    press(chromium, "save")
    refused = element(chromium, "step-1-row-0-approver")
    invalid, error_id = (refused.get_attribute(a) for a in ("aria-invalid", "aria-describedby"))
    error = element(chromium, str(error_id)).text
    unlabelled_fields += unlabelled(chromium)
    kept = [
        element(chromium, "step-1-name").get_attribute("value"),
        element(chromium, "step-1-row-0-cond-0-values").get_attribute("value"),
        element(chromium, "step-1-default_approver").get_attribute("value"),
    ]
    chromium.execute_script("document.getElementById('step-1').scrollIntoView()")
    screenshot(chromium, "workflow-editor")  # step 2 and its error, for the docs
    narrow_editor = fits_narrow(chromium)
    _type(chromium, "step-1-row-0-approver", BOB)
    press(chromium, "save")
    saved = element(chromium, "notice").text
    history = element(chromium, "versions").text

    assert invited == "Invited. They can sign in with their e-mail address."
    assert "Bob Buyer" in people_page and "csk_" not in chromium.page_source
    assert {u["email"]: u["roles"] for u in await org.users()}[BOB] == ["approver"]
    assert invalid == "true"
    assert error == "ghost@example.com is not a user of the organisation"
    assert kept == ["Finance", ACME, ADA.email]
    assert saved.startswith("Saved as version 2.")
    assert "Budget holder → Finance" in history
    assert narrow_people and narrow_editor  # readable at a phone's width
    assert unlabelled_fields == []  # every field labelled, every button in words

    # It takes effect: Acme's bill waits for Bob at step two, anyone else's for Ada.
    assert await _awaited_at_step_two(org, "adm-acme", ACME) == [BOB]
    assert await _awaited_at_step_two(org, "adm-other", "Northwind Stationery Ltd") == [ADA.email]


async def test_someone_not_an_admin_is_refused_the_admin_pages(pipeline: Pipeline) -> None:
    """Approval decides: Ann's session (approver only) gets the admins-only page (403), and
    her pages carry no Admin links."""
    org = await provision_organisation(
        pipeline.endpoints, WORKFLOW, PEOPLE, name="Web Not Admin Ltd"
    )
    ann = await signed_in(org, ANN)
    pages = [await ann.http.get(p) for p in ("/admin/people", "/admin/workflow")]
    invited = await ann.post("/admin/people", name="Eve", email="eve@example.com")
    inbox = await ann.http.get("/inbox")
    await ann.http.aclose()
    emails = [u["email"] for u in await org.users()]

    assert [p.status_code for p in [*pages, invited]] == [403, 403, 403]
    assert all('id="admins-only"' in p.text for p in [*pages, invited])
    assert "eve@example.com" not in emails
    assert inbox.status_code == 200 and "/admin/people" not in inbox.text
