"""What the browser tests share: waiting for an element, pressing what leads to another page,
whether a page reads at a phone's width, keeping a screenshot (``make screenshots`` sets
COUNTERSIGN_SCREENSHOTS), and signing a person in by the link the web app mails them, as
people do."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
from countersign_harness.organisation import Organisation
from countersign_harness.waiting import eventually
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.wait import WebDriverWait

__all__ = ["element", "fits_narrow", "press", "screenshot", "sign_in", "sign_in_link"]


def element(browser: Chrome, element_id: str) -> WebElement:
    found: WebElement = WebDriverWait(browser, 15).until(
        shown.presence_of_element_located((By.ID, element_id))
    )
    return found


def press(browser: Chrome, element_id: str) -> None:
    """Clicks what leads to another page, and waits until that page (or, for a form sent
    in part, its main part) replaced this one: the next look finds nothing of the old one."""
    old = browser.find_element(By.ID, "main")
    element(browser, element_id).click()
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


async def sign_in_link(org: Organisation, email: str) -> str:
    """The sign-in link the web app mailed ``email`` for ``org``: one person may be a user of
    several organisations of a shared pipeline (a link each) and have the notifier's mail too;
    only this organisation's link counts, and there must be exactly one."""

    async def mail() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(
                f"{org.endpoints.mail_sandbox}/api/messages", params={"to": email}
            )
        found: list[dict[str, Any]] = answer.json()
        return found

    def sign_in_links(messages: list[dict[str, Any]]) -> list[str]:
        return [
            link["url"]
            for message in messages
            for link in message["links"]
            if "/sign-in/link?" in link["url"] and link["text"] == f"Sign in to {org.name}"
        ]

    messages = await eventually(mail, lambda found: bool(sign_in_links(found)), timeout_s=30)
    links = sign_in_links(messages)
    assert len(links) == 1, messages
    return links[0]


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
