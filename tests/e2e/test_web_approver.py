"""An approver uses the web app the way people do, in Debian's headless Chromium: asks for a
sign-in link, reads it in the mail sandbox, opens it, continues, finds the bill in the inbox,
opens it and approves — and one bill reaches Xero. Once Max has approved the first step, the
notifier's e-mail to Ann, the second step's approver, carries Approve and Reject buttons: each
opens a page that asks to confirm, decides once, needs no sign-in.
What must not work does not: a link a second time, a form posted without the page's token, a
page without a session.
``make screenshots`` keeps the pictures (COUNTERSIGN_SCREENSHOTS)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from countersign_harness.organisation import Organisation, Person
from countersign_harness.pipeline import WEB_OIDC_CLIENT_ID, WEB_OIDC_SECRET, Pipeline
from countersign_harness.provisioning import provision_organisation
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from tests.e2e.accessibility import reach_by_keyboard, unlabelled
from tests.e2e.browsing import element, fits_narrow, screenshot, send
from tests.e2e.journeys import ANN, PEOPLE, WORKFLOW, invoice, original
from tests.e2e.mailbox import Message, linking, sign_in_link, wait_for_mail
from tests.e2e.test_journey_approval_paths import publish

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)

REQUESTER = "priya@example.com"  # the requester Dext names on every sample item
# Ann is a user in many organisations of the shared pipeline: this one's name tells its link.
SIGN_IN_ORGANISATION = "Web Sign In Ltd"


async def test_an_approver_signs_in_by_link_and_approves_in_the_browser(
    pipeline: Pipeline, chromium: Chrome
) -> None:
    org = await provision_organisation(
        pipeline.endpoints, WORKFLOW, PEOPLE, name=SIGN_IN_ORGANISATION
    )
    web = org.endpoints.web
    assert (await publish(org, invoice("web-1"))).status_code == 202
    request = await org.request_of("web-1", states=("in_approval",))

    chromium.get(f"{web}/inbox")  # not signed in: to the sign-in page
    unlabelled_fields = unlabelled(chromium)
    element(chromium, "email").send_keys(ANN)
    screenshot(chromium, "sign-in")
    element(chromium, "sign-in-form").submit()
    assert ANN in element(chromium, "check-mail").text
    link = await sign_in_link(org, ANN)
    chromium.get(link)  # a GET signs nobody in: it asks to continue
    element(chromium, "continue-form").submit()
    row = element(chromium, "inbox").find_element(By.LINK_TEXT, "Northwind Stationery Ltd")
    unlabelled_fields += unlabelled(chromium)
    screenshot(chromium, "inbox")
    narrow_inbox = fits_narrow(chromium)
    row.click()
    assert element(chromium, "total").text == "GBP 126.60"
    scan = element(chromium, "scan").get_attribute("src")
    screenshot(chromium, "request")
    narrow_request = fits_narrow(chromium)
    cookies = {c["name"]: c["value"] for c in chromium.get_cookies()}
    unlabelled_fields += unlabelled(chromium)
    element(chromium, "approve-comment").send_keys("Paper for the quarter")
    by_keyboard = reach_by_keyboard(chromium, "approve")
    chromium.switch_to.active_element.send_keys(Keys.ENTER)  # approved with the keyboard
    notice = element(chromium, "notice").text
    status = await org.wait_status("web-1", ("published",))

    assert notice == "You approved this bill."
    assert status["status"] == "published", status
    assert len(org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-web-1")) == 1
    decided = (await org.request(request["request_id"]))["audit_trail"]
    assert [(e["action"], e["actor"]["name"], e["comment"]) for e in decided][-2] == (
        "approved",
        "Ann Approver",
        "Paper for the quarter",
    )
    assert narrow_inbox and narrow_request  # readable at a phone's width
    assert by_keyboard and unlabelled_fields == []  # and by keyboard, every field labelled

    # What must not work: the link a second time, a form without the page's token (with the
    # person's own session cookie), a page without a session.
    chromium.get(link)
    element(chromium, "continue-form").submit()
    replayed = element(chromium, "error").text
    async with httpx.AsyncClient(timeout=10, cookies=cookies) as as_ann:
        shown = await as_ann.get(str(scan))
    async with httpx.AsyncClient(base_url=web, timeout=10, cookies=cookies) as as_ann:
        forged = await as_ann.post(
            f"/requests/{request['request_id']}/reject",
            data={"reason": "forged", "csrf": "not-the-pages-token"},
        )
    async with httpx.AsyncClient(base_url=web, timeout=10) as anyone:
        no_session = await anyone.get(f"/requests/{request['request_id']}")
    trail = (await org.request(request["request_id"]))["audit_trail"]

    assert (shown.status_code, shown.headers["content-type"]) == (200, "application/pdf")
    assert shown.content == original("web-1")  # the scan Dext sent, beside the bill
    assert "used, expired or unknown" in replayed
    assert forged.status_code == 403 and "That form was refused" in forged.text
    assert (no_session.status_code, no_session.headers["location"]) == (303, "/sign-in")
    assert "rejected" not in [e["action"] for e in trail]  # the forged reject did nothing


async def _mail_about(org: Organisation, to: str, request_id: str) -> Message:
    """The notifier's mail to ``to`` that links to the request (the newest, when several)."""

    def about(message: Message) -> bool:
        return linking(message, f"/requests/{request_id}") and not linking(message, "/act/")

    return (await wait_for_mail(org, to, about))[0]


async def _buttons(org: Organisation, request_id: str) -> tuple[str, str, str]:
    """The Approve and Reject links of the notifier's mail to Ann about the request."""

    def buttons(message: Message) -> bool:
        return linking(message, f"/requests/{request_id}") and linking(message, "/act/")

    [message] = await wait_for_mail(org, ANN, buttons)
    urls = [link["url"] for link in message["links"] if "/act/" in link["url"]]
    approve = next(u for u in urls if u.endswith("decision=approve"))
    reject = next(u for u in urls if u.endswith("decision=reject"))
    return approve, reject, f"{org.endpoints.mail_sandbox}/messages/{message['id']}"


MANAGER = Person("max.buttons@example.com", "Max Manager", ("approver",))
# Max decides first; Ann, the second step's approver, decides from her mail.
TWO_STEPS = {
    "name": "Bills",
    "steps": [
        {"name": "Manager", "approvers": [{"approver": MANAGER.email}]},
        {"name": "Budget holder", "approvers": [{"approver": ANN}]},
    ],
    "default_approver": "ada@example.com",
}


async def test_the_notifiers_e_mail_buttons_decide_once_without_signing_in_browser(
    pipeline: Pipeline, chromium: Chrome
) -> None:
    org = await provision_organisation(
        pipeline.endpoints, TWO_STEPS, (*PEOPLE, MANAGER), name="Acme Buttons Ltd"
    )
    assert (await publish(org, invoice("btn-1"))).status_code == 202
    assert (await publish(org, invoice("btn-2"))).status_code == 202
    first = await org.request_of("btn-1", states=("in_approval",))
    second = await org.request_of("btn-2", states=("in_approval",))
    for request in (first, second):
        await org.approve(MANAGER.email, request["request_id"])
    approve, _, seen = await _buttons(org, first["request_id"])
    _, reject, _ = await _buttons(org, second["request_id"])
    chromium.get(seen)  # the mail as Ann reads it
    screenshot(chromium, "e-mail")

    chromium.get(approve)  # a mail scanner's GET decides nothing
    still = (await org.request(first["request_id"]))["state"]
    assert element(chromium, "deciding-as").text == "Ann Approver"
    screenshot(chromium, "e-mail-button")
    element(chromium, "confirm").click()
    approved = element(chromium, "acted").text
    chromium.get(approve)
    reused = element(chromium, "error").text
    chromium.get(reject)
    element(chromium, "comment").send_keys("Not our order")
    element(chromium, "confirm").click()
    rejected = element(chromium, "acted").text
    published = await org.wait_status("btn-1", ("published",))
    refused = await org.wait_status("btn-2", ("rejected",))

    trail = (await org.request(first["request_id"]))["audit_trail"]
    decided = [(e["actor"]["name"], e["step"]["name"]) for e in trail if e["action"] == "approved"]

    assert still == "in_approval"
    assert approved.startswith("You approved Northwind Stationery Ltd")
    assert decided == [("Max Manager", "Manager"), ("Ann Approver", "Budget holder")]
    assert "used, expired" in reused
    assert rejected.startswith("You rejected")
    assert published["status"] == "published"
    assert len(org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-btn-1")) == 1
    assert refused["status"] == "rejected"
    assert org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-btn-2") == []
    told = await _mail_about(org, REQUESTER, second["request_id"])
    assert "Not our order" in told["text"]  # the reason reaches the requester's mail


async def test_an_approver_signs_in_with_xero_in_the_browser(
    pipeline: Pipeline, chromium: Chrome
) -> None:
    """ "Sign in with Xero": the web app sends the browser to the Xero sandbox (PKCE, state,
    nonce), Ann logs in there and allows the sign-in, and comes back signed in to the
    organisation she picks (she is a user in several of this pipeline's)."""
    org = await provision_organisation(
        pipeline.endpoints, WORKFLOW, PEOPLE, name="Xero Sign In Ltd"
    )
    web, xero = org.endpoints.web, org.endpoints.xero_root
    password = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=xero, timeout=10) as http:
        app = await http.post("/_sandbox/clients", json={
            "client_id": WEB_OIDC_CLIENT_ID, "client_secret": WEB_OIDC_SECRET,
            "name": "Countersign", "redirect_uris": [f"{web}/sign-in/oidc/callback"],
        })  # fmt: skip
        user = await http.post("/_sandbox/users", json={
            "email": ANN, "password": password, "tenant_ids": [org.tenant_id],
        })  # fmt: skip
    assert app.status_code == 201 and user.status_code in (201, 409), (app.text, user.text)

    chromium.get(f"{web}/sign-in")
    element(chromium, "sign-in-oidc").click()
    element(chromium, "email").send_keys(ANN)
    element(chromium, "password").send_keys(password)
    element(chromium, "login").click()
    element(chromium, "allow").click()
    WebDriverWait(chromium, 15).until(
        lambda browser: (
            browser.find_elements(By.ID, "choose-form")
            or "Waiting for you" in browser.find_element(By.ID, "main").text
        )
    )
    for chooser in chromium.find_elements(By.ID, "choose-form"):  # Ann is in several
        chooser.find_element(By.XPATH, f"//input[@value='{org.organisation_id}']").click()
        send(chromium, chooser)
    inbox = element(chromium, "main").text
    who = chromium.find_element(By.CLASS_NAME, "who").text

    assert who == "Ann Approver"
    assert "Waiting for you" in inbox
