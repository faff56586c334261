"""An admin connects Xero in a real browser (Debian's Chromium, headless): Countersign's link to
Xero's sign-in, the consent page with its organisations, and Countersign's page on the way back.
With COUNTERSIGN_SCREENSHOTS=<dir> (``make screenshots``) each page is also saved there for the
docs (docs/connecting.md)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.xero_consent import XeroConsent
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.wait import WebDriverWait

from tests.e2e.journeys import PEOPLE, WORKFLOW

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n"


def _element(browser: Chrome, element_id: str) -> WebElement:
    """The element once the page that has it is there: a click that submits a form returns
    before the next page has loaded."""
    found: WebElement = WebDriverWait(browser, 15).until(
        shown.presence_of_element_located((By.ID, element_id))
    )
    return found


def _shot(browser: Chrome, folder: Path, name: str) -> None:
    path = folder / f"connect-xero-{name}.png"
    assert browser.save_screenshot(str(path))
    assert path.read_bytes().startswith(PNG)
    wanted = os.environ.get("COUNTERSIGN_SCREENSHOTS")
    if wanted:
        shutil.copy(path, Path(wanted) / path.name)


async def test_an_admin_connects_xero_in_a_browser(
    pipeline: Pipeline, chromium: Chrome, tmp_path: Path
) -> None:
    org = await provision_organisation(
        pipeline.endpoints, WORKFLOW, PEOPLE, name="Browser Trading Ltd", connect_xero=False
    )
    consent = XeroConsent(org)
    try:
        await consent.prepare([org.tenant_id])
        started = await consent.start()
    finally:
        await consent.aclose()
    assert started.status_code == 201, started.text

    chromium.get(started.json()["authorize_url"])
    assert _element(chromium, "login-form").is_displayed()
    _shot(chromium, tmp_path, "1-sign-in")
    chromium.find_element(By.NAME, "email").send_keys(consent.email)
    chromium.find_element(By.NAME, "password").send_keys(consent.password)
    chromium.find_element(By.ID, "login").click()

    box = _element(chromium, f"tenant-{org.tenant_id}")
    assert "Browser Trading Ltd" in chromium.find_element(By.ID, "organisations").text
    if not box.is_selected():
        box.click()
    _shot(chromium, tmp_path, "2-consent")
    chromium.find_element(By.ID, "allow").click()

    outcome = _element(chromium, "outcome")
    assert outcome.get_attribute("data-outcome") == "connected", chromium.page_source
    assert chromium.current_url.startswith(pipeline.xero_redirect_uri)
    assert "Browser Trading Ltd" in outcome.text
    _shot(chromium, tmp_path, "3-connected")
