"""Deadlines, reminders, reassignment and escalation as people meet them: in the mail sandbox
and in Debian's headless Chromium, on the shared pipeline, whose workflow hour lasts a second
(``conftest.SHARED_WORKFLOW_HOUR_S``, approval's ``APPROVAL_WORKFLOW_HOUR_S``).

    a step with a deadline and an escalation to Cat; nobody decides
      ─▶ after the (scaled) deadline and delay the step is escalated; Cat's mail says so and
         carries the buttons; she approves from it; the request page shows the escalation
    a step whose deadline is more than a day away ─▶ "Reminder, due soon" to Ann
    an admin hands Ann's place to Bob ─▶ "Approval needed" to Bob, naming the reassignment
"""

from __future__ import annotations

from typing import Any

import pytest
from countersign_harness.organisation import Organisation, Person
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.waiting import eventually
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By

from tests.e2e.browsing import element, screenshot, sign_in
from tests.e2e.journeys import ANN, invoice
from tests.e2e.mailbox import Message, linking, wait_for_mail
from tests.e2e.test_journey_approval_paths import publish

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)

BOB, CAT = "bob@example.com", "cat@example.com"
PEOPLE = (
    Person(ANN, "Ann Approver", ("approver",)),
    Person(BOB, "Bob Approver", ("approver",)),
    Person(CAT, "Cat Controller", ("approver",)),
)


def _workflow(**deadline: Any) -> dict[str, Any]:
    return {
        "name": "Bill creation, review and approval",
        "steps": [{"name": "Budget holder", "approvers": [{"approver": ANN}], **deadline}],
        "default_approver": "ada@example.com",
    }


async def _mails(org: Organisation, to: str, request_id: str, subject: str) -> list[Any]:
    """The mails to ``to`` about the request whose subject starts so, once there is one."""

    def about(message: Message) -> bool:
        about_it = linking(message, f"/requests/{request_id}")
        return about_it and message["subject"].startswith(subject)

    return await wait_for_mail(org, to, about, timeout_s=30)


async def test_an_undecided_step_escalates_after_its_deadline_and_the_target_decides_browser(
    pipeline: Pipeline, chromium: Chrome
) -> None:
    escalating = {"deadline_hours": 1, "escalation": {"to": CAT, "after_hours": 1}}
    org = await provision_organisation(
        pipeline.endpoints, _workflow(**escalating), PEOPLE, name="Escalation Ltd"
    )
    assert (await publish(org, invoice("esc-1"))).status_code == 202
    request = await org.request_of("esc-1", states=("in_approval",))
    escalated = await eventually(
        lambda: org.request(request["request_id"]),
        lambda found: found["current_step"]["escalated_at"] is not None,
        timeout_s=30,
    )
    [told] = await _mails(org, CAT, request["request_id"], "Approval needed")
    approve = next(link["url"] for link in told["links"] if link["url"].endswith("=approve"))

    chromium.get(f"{org.endpoints.mail_sandbox}/messages/{told['id']}")  # Cat reads it
    body = chromium.find_element(By.XPATH, "//h2[normalize-space()='HTML body']")
    chromium.execute_script("arguments[0].scrollIntoView()", body)
    screenshot(chromium, "e-mail-escalated")
    chromium.get(approve)
    assert element(chromium, "deciding-as").text == "Cat Controller"
    element(chromium, "confirm").click()
    acted = element(chromium, "acted").text
    status = await org.wait_status("esc-1", ("published",))
    trail = (await org.request(request["request_id"]))["audit_trail"]

    assert [p["email"] for p in escalated["current_step"]["escalated_to"]] == [CAT]
    assert "was escalated to you: its deadline passed" in told["text"]
    assert acted.startswith("You approved Northwind Stationery Ltd")
    assert status["status"] == "published"
    steps = [(e["action"], e["actor"]["name"], e["actor"].get("role")) for e in trail]
    escalation = steps.index(("escalated", "Countersign", None))
    assert steps[escalation + 1] == ("approved", "Cat Controller", "escalation")

    # The request page shows the escalation in its trail, to Cat signed in as the admin would.
    shown = await _signed_in_page(org, chromium, request["request_id"])
    assert "escalated" in shown and "undecided 1 h after its deadline; escalated to" in shown


async def _signed_in_page(org: Organisation, chromium: Chrome, request_id: str) -> str:
    """Cat signs in by magic link and opens the request; the trail's text."""
    await sign_in(chromium, org, CAT)
    chromium.get(f"{org.endpoints.web}/requests/{request_id}")
    trail = chromium.find_element(By.CLASS_NAME, "trail")
    chromium.execute_script("arguments[0].scrollIntoView()", trail)
    screenshot(chromium, "request-escalated")
    text: str = trail.text
    return text


async def test_the_mail_sandbox_shows_the_reminder_before_a_deadline_and_a_reassignment(
    pipeline: Pipeline,
) -> None:
    org = await provision_organisation(
        pipeline.endpoints, _workflow(deadline_hours=25), PEOPLE, name="Reminders Ltd"
    )
    assert (await publish(org, invoice("due-1"))).status_code == 202
    request = await org.request_of("due-1", states=("in_approval",))
    request_id = request["request_id"]
    [soon] = await _mails(org, ANN, request_id, "Reminder, due soon")
    handed = {"from_email": ANN, "to_email": BOB, "comment": "Ann is on leave"}
    reassigned = await org.act(None, request_id, "reassign", handed)
    [bobs] = await _mails(org, BOB, request_id, "Approval needed")

    assert "a day from now" in soon["text"]
    assert any(link["url"].endswith("decision=approve") for link in soon["links"])
    assert reassigned.status_code == 200, reassigned.text
    assert "An administrator handed you a place at the step Budget holder." in bobs["text"]
    assert any(link["url"].endswith("decision=approve") for link in bobs["links"])
