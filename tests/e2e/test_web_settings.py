"""The admin's settings page also holds what the publisher does in Xero: whether decisions are
written to each bill's history (ADR 0051) and from which day bills approved in Xero without
Countersign are reported (ADR 0055). Saved through the publisher's API as the signed-in admin;
a start date the publisher refuses is shown at its field, with what was typed kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import ADA, provision_organisation
from selenium.webdriver import Chrome
from selenium.webdriver.support.select import Select

from tests.e2e.browsing import element, press, screenshot, sign_in
from tests.e2e.journeys import ANN, PEOPLE, WORKFLOW
from tests.e2e.web_visitor import signed_in

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its own organisation; nothing global changed (conftest.py)


async def test_an_admin_turns_history_notes_off_and_moves_the_bypass_start_earlier(
    pipeline: Pipeline,
) -> None:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name="Settings Ltd")
    today = datetime.now(UTC).date()
    admin = await signed_in(org, ADA.email)
    before = (await admin.http.get("/admin/settings")).text
    later = str(today + timedelta(days=1))
    refused = await admin.post(
        "/admin/settings", duplicate_policy="block", bypass_detection_from=later
    )
    earlier = str(today - timedelta(days=30))
    # The history box left unticked: a browser sends nothing for it, so it is turned off.
    saved = await admin.post(
        "/admin/settings", duplicate_policy="warn", bypass_detection_from=earlier
    )
    after = (await admin.http.get("/admin/settings?saved=1")).text
    await admin.http.aclose()
    path = f"{org.endpoints.publisher}/v1/organisations/{org.organisation_id}/publication-settings"
    async with httpx.AsyncClient(headers=org.endpoints.operator, timeout=10) as http:
        publisher = (await http.get(path)).json()

    # Connected today: watched from today, and history notes on by default.
    assert 'id="xero_history_notes" checked' in before
    assert f'name="bypass_detection_from" type="date" value="{today}"' in before
    assert refused.status_code == 422
    field_error = 'id="bypass_detection_from-error">The start date may not be after today'
    assert field_error in refused.text
    assert f'value="{later}"' in refused.text  # what was typed, kept
    assert 'value="block" id="duplicate-policy-block" checked' in refused.text
    assert (saved.status_code, saved.headers["location"]) == (303, "/admin/settings?saved=1")
    assert publisher["xero_history_notes"] is False
    assert publisher["bypass_detection_from"] == earlier
    assert publisher["changed_by"] not in (None, "operator")  # the admin, as themselves
    assert 'id="xero_history_notes" checked' not in after
    assert f'value="{earlier}"' in after


async def test_an_admin_switches_where_bills_start_in_the_browser(
    pipeline: Pipeline, chromium: Chrome
) -> None:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name="Modes Ltd")
    [ann] = [u["user_id"] for u in await org.users() if u["email"] == ANN]
    chromium.set_window_size(1280, 900)
    await sign_in(chromium, org, ADA.email)
    chromium.get(f"{org.endpoints.web}/admin/settings")
    direct_at_first = element(chromium, "ledger-mode-direct").is_selected()
    element(chromium, "ledger-mode-via_xero").click()
    press(chromium, "save-settings")  # no requester chosen: refused at that field
    refused = element(chromium, "via_xero_requester-error").text
    still_chosen = element(chromium, "ledger-mode-via_xero").is_selected()
    Select(element(chromium, "via_xero_requester")).select_by_value(ann)
    press(chromium, "save-settings")
    notice = element(chromium, "notice").text
    screenshot(chromium, "admin-settings")
    settings = f"{org.endpoints.approval}/v1/organisations/{org.organisation_id}/settings"
    async with httpx.AsyncClient(timeout=10) as http:
        stored = (await http.get(settings, headers=org.auth())).json()

    assert direct_at_first
    assert refused and still_chosen
    assert notice.startswith("Saved.")
    assert (stored["ledger_mode"], stored["via_xero_requester"]) == ("via_xero", ann)
    assert element(chromium, "ledger-mode-via_xero").is_selected()
    assert (
        Select(element(chromium, "via_xero_requester")).first_selected_option.get_attribute("value")
        == ann
    )
