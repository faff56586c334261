"""What the browser tests share: waiting for an element, pressing what leads to another page
(or sending a form that does), whether a page reads at a phone's width, keeping a screenshot
(``make screenshots`` sets COUNTERSIGN_SCREENSHOTS), and signing a person in by the link the
web app mails them, as people do."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from countersign_harness.organisation import Organisation
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.wait import WebDriverWait

from tests.e2e.mailbox import sign_in_link

__all__ = ["element", "fits_narrow", "press", "screenshot", "send", "sign_in"]


def element(browser: Chrome, element_id: str) -> WebElement:
    found: WebElement = WebDriverWait(browser, 15).until(
        shown.presence_of_element_located((By.ID, element_id))
    )
    return found


def press(browser: Chrome, element_id: str) -> None:
    """Clicks what leads to another page, and waits until that page (or, for a form sent
    in part, its main part) replaced this one: the next look finds nothing of the old one."""
    _replacing(browser, lambda: element(browser, element_id).click())


def send(browser: Chrome, form: WebElement) -> None:
    """Sends a form that leads to another page, and waits until that page replaced this one."""
    _replacing(browser, form.submit)


def _replacing(browser: Chrome, act: Callable[[], None]) -> None:
    old = browser.find_element(By.ID, "main")
    act()
    WebDriverWait(browser, 15).until(shown.staleness_of(old))


def fits_narrow(browser: Chrome) -> bool:
    """Whether the page reads at a phone's 375 px without scrolling sideways."""
    browser.set_window_size(375, 800)
    scrolled: int = browser.execute_script("return document.documentElement.scrollWidth")
    browser.set_window_size(1280, 900)
    return scrolled <= 375


def screenshot(browser: Chrome, name: str) -> None:
    where = os.environ.get("COUNTERSIGN_SCREENSHOTS")
    if where:
        browser.save_screenshot(str(Path(where) / f"web-{name}.png"))


async def sign_in(browser: Chrome, org: Organisation, email: str) -> None:
    """Asks for a link on the sign-in page, opens it from the mail, and continues: the browser
    ends on the inbox, signed in as ``email`` in ``org`` (whoever was signed in before in this
    browser no longer is: the new session's cookie replaces theirs)."""
    browser.get(f"{org.endpoints.web}/sign-in")
    element(browser, "email").send_keys(email)
    element(browser, "sign-in-form").submit()
    element(browser, "check-mail")
    browser.get(await sign_in_link(org, email))
    element(browser, "continue-form").submit()
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CLASS_NAME, "who"))
