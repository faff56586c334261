"""Out of office and the review, in the browser: Alma, the budget holder, says on /away that Sam
decides for her; a bill published from the Dext sandbox is reviewed by Rita, who recodes its
line from what Xero takes and submits the review; it then waits for Alma — and shows in Sam's
inbox "for Alma Approver"; Sam approves it, and the trail records his approval on her behalf.
Sam's history finds it among what he decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from countersign_harness.organisation import Person
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.waiting import eventually
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from tests.e2e.browsing import element, fits_narrow, press, screenshot, sign_in
from tests.e2e.journeys import invoice
from tests.e2e.test_journey_approval_paths import publish

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its own organisation; it changes nothing other modules see

ALMA, SAM, RITA = "alma@example.com", "sam@example.com", "rita@example.com"
PEOPLE = (
    Person(ALMA, "Alma Approver", ("approver",)),
    Person(SAM, "Sam Substitute", ("approver",)),
    Person(RITA, "Rita Reviewer", ("reviewer",)),
)
WORKFLOW: dict[str, Any] = {
    "name": "Reviewed bills",
    "review": {"reviewers": [RITA]},
    "steps": [{"name": "Budget holder", "approvers": [{"approver": ALMA}]}],
    "default_approver": "ada@example.com",
}


def _type_date(browser: Chrome, element_id: str, day: str) -> None:
    # A date field's typing follows the browser's locale; its value is always ISO.
    browser.execute_script("arguments[0].value = arguments[1]", element(browser, element_id), day)


async def _post_as(browser: Chrome, path: str, form: dict[str, str]) -> httpx.Response:
    """A form posted with the browser's session and the open page's token, as a hand-made
    request would be: what approval refuses comes back at the form's field."""
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    csrf = browser.find_element(By.NAME, "csrf").get_attribute("value") or ""
    where = urlsplit(browser.current_url)
    origin = f"{where.scheme}://{where.netloc}"
    async with httpx.AsyncClient(base_url=origin, cookies=cookies) as http:
        return await http.post(path, data=form | {"csrf": csrf}, timeout=10)


def _text_of(answer: httpx.Response, element_id: str) -> str:
    """The text of the element ``element_id`` in the page (its first line)."""
    after = answer.text.split(f'id="{element_id}">', 1)[1]
    return after.split("<", 1)[0]


async def test_a_substitute_approves_for_an_absent_approver_after_a_review_in_the_browser(
    pipeline: Pipeline, chromium: Chrome
) -> None:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name="Web Away Ltd")
    web = org.endpoints.web
    today = datetime.now(UTC).date()

    await sign_in(chromium, org, ALMA)
    chromium.get(f"{web}/away")
    element(chromium, "substitute_email").send_keys(SAM)
    _type_date(chromium, "starts_on", today.isoformat())
    _type_date(chromium, "ends_on", (today + timedelta(days=3)).isoformat())
    nobody = {"substitute_email": "nobody@example.com", "starts_on": "2026-01-01"}
    refused_away = await _post_as(chromium, "/away", nobody | {"ends_on": "2026-01-02"})
    element(chromium, "away-form").submit()
    away_now = element(chromium, "away-now").text
    screenshot(chromium, "away")
    narrow_away = fits_narrow(chromium)

    await eventually(org.coding_options, lambda o: o["ledger_read"], timeout_s=60)
    assert (await publish(org, invoice("away-1"))).status_code == 202
    request = await org.request_of("away-1", states=("in_review",))
    await sign_in(chromium, org, RITA)
    chromium.get(f"{web}/requests/{request['request_id']}")
    refused_line = await _post_as(
        chromium, f"/requests/{request['request_id']}/lines/0",
        {"account_code": "999", "tax_type": "INPUT2"},
    )  # fmt: skip
    Select(element(chromium, "line-0-account")).select_by_value("453")
    element(chromium, "line-0-save").click()
    recoded = element(chromium, "notice").text
    chromium.execute_script("arguments[0].scrollIntoView()", element(chromium, "line-0"))
    screenshot(chromium, "review")
    narrow_review = fits_narrow(chromium)
    element(chromium, "submit-review").click()
    element(chromium, "notice")

    await sign_in(chromium, org, SAM)
    row = element(chromium, "inbox").find_element(By.XPATH, ".//tr[td/a]")
    stands_in = row.text
    row.find_element(By.LINK_TEXT, "Northwind Stationery Ltd").click()
    behalf = element(chromium, "approve-behalf").text
    element(chromium, "approve").click()
    approved = element(chromium, "notice").text
    chromium.get(f"{web}/history")
    chromium.execute_script("window.stayed = true")  # gone if the page were loaded anew
    element(chromium, "supplier").send_keys("northwind")
    element(chromium, "decided_by_me").click()
    press(chromium, "search")  # the results replace the page's main part, in place
    history = element(chromium, "history").text
    in_place = chromium.execute_script("return window.stayed === true")
    searched = chromium.current_url
    screenshot(chromium, "history")
    narrow_history = fits_narrow(chromium)
    trail = (await org.request(request["request_id"]))["audit_trail"]

    assert refused_away.status_code == 422
    assert "is not a user of the organisation" in _text_of(refused_away, "substitute_email-error")
    assert "sam@example.com decides in your place" in away_now
    assert refused_line.status_code == 422  # Xero has no account 999: shown at the line
    assert "999" in _text_of(refused_line, "line-0-account-error")
    assert recoded == "You recoded this bill."
    assert "for Alma Approver" in stands_in
    assert behalf == "For Alma Approver, who is away."
    assert approved == "You approved this bill."
    assert "Northwind Stationery Ltd" in history and "INV-away-1" in history
    assert in_place and searched.endswith(
        "/history?supplier=northwind&min_total=&max_total="
        "&state=&opened_from=&opened_to=&decided_by_me=1"
    )
    assert narrow_away and narrow_review and narrow_history  # readable at a phone's width
    edited = next(e for e in trail if e["action"] == "edited")
    assert (edited["actor"]["name"], edited["changes"][0]["after"]) == ("Rita Reviewer", "453")
    assert "review_submitted" in [e["action"] for e in trail]
    decided = (
        trail[-1]
        if trail[-1]["action"] == "approved"
        else next(e for e in trail if e["action"] == "approved")
    )
    assert (decided["actor"]["name"], decided["actor"]["role"]) == ("Sam Substitute", "substitute")
    assert decided["on_behalf_of"]["name"] == "Alma Approver"
