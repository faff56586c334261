"""A person reads the mail sandbox in Debian's headless Chromium: the inbox, a message, its HTML
body in the sandboxed frame with the Approve link working and the message's script not run —
at a phone's 375 px too. ``make screenshots`` keeps the pictures for the docs
(COUNTERSIGN_SCREENSHOTS=<dir>)."""

from __future__ import annotations

import os
import shutil
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from countersign_mail_sandbox.harness import Served, serve
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.wait import WebDriverWait

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(name="mail")
def mail_fixture() -> Iterator[Served]:
    with serve() as served:
        yield served


def _request(served: Served, to: str, subject: str) -> None:
    """An approval request as Countersign will send it, its Approve button a link back to the
    mail sandbox's own health page (a page that answers, on loopback)."""
    message = EmailMessage()
    message["From"] = "Countersign <no-reply@countersign.example>"
    message["To"] = to
    message["Subject"] = subject
    approve = f"{served.url}/health/live?decision=approve"
    message.set_content(f"Acme Supplies Ltd, £120.00, awaits you.\nApprove: {approve}\n")
    message.add_alternative(
        "<!doctype html><html><head><title>Approval</title></head><body>"
        "<p id='amount'>Acme Supplies Ltd, £120.00, awaits you.</p>"
        f"<p><a id='approve' href='{approve}'>Approve</a></p>"
        "<script>document.getElementById('amount').textContent = 'scripts ran'</script>"
        "</body></html>",
        subtype="html",
    )
    with smtplib.SMTP(served.smtp_host, served.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


def _element(browser: Chrome, by: str, value: str) -> WebElement:
    found: WebElement = WebDriverWait(browser, 15).until(
        shown.presence_of_element_located((by, value))
    )
    return found


def _shot(browser: Chrome, folder: Path, name: str) -> None:
    path = folder / f"mail-sandbox-{name}.png"
    assert browser.save_screenshot(str(path))
    assert path.read_bytes().startswith(PNG)
    wanted = os.environ.get("COUNTERSIGN_SCREENSHOTS")
    if wanted:
        shutil.copy(path, Path(wanted) / path.name)


def test_a_person_reads_a_message_in_a_browser_and_follows_its_link(
    mail: Served, chromium: Chrome, tmp_path: Path
) -> None:
    _request(mail, "bob@example.com", "Bill 41 awaits you")
    _request(mail, "ann@example.com", "Bill 42 from Acme Supplies awaits you")

    chromium.set_window_size(1000, 700)
    chromium.get(mail.url)
    listed = [e.text for e in chromium.find_elements(By.CSS_SELECTOR, "#messages a.subject")]
    assert listed == ["Bill 42 from Acme Supplies awaits you", "Bill 41 awaits you"]
    _shot(chromium, tmp_path, "inbox")

    # The recipient filter, by keyboard: type the address, Enter submits.
    chromium.find_element(By.ID, "to").send_keys("ann@example.com", Keys.ENTER)
    # The filtered page replaces this one: wait for it before taking anything from it.
    WebDriverWait(chromium, 15, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda browser: "Mail to ann@example.com (1)" in browser.find_element(By.ID, "heading").text
    )
    _element(chromium, By.CSS_SELECTOR, "#messages a.subject").click()

    assert _element(chromium, By.ID, "subject").text == "Bill 42 from Acme Supplies awaits you"
    assert "£120.00" in chromium.find_element(By.ID, "text").text
    frame = chromium.find_element(By.ID, "html-body")
    _shot(chromium, tmp_path, "message")
    chromium.switch_to.frame(frame)
    assert _element(chromium, By.ID, "amount").text == "Acme Supplies Ltd, £120.00, awaits you."
    _element(chromium, By.ID, "approve").click()
    chromium.switch_to.default_content()
    # The link opened in the whole tab, not in the frame.
    WebDriverWait(chromium, 15).until(shown.url_contains("/health/live?decision=approve"))
    assert '"status":"ok"' in chromium.page_source


def test_the_inbox_reads_at_a_phones_width_in_a_browser(
    mail: Served, chromium: Chrome, tmp_path: Path
) -> None:
    _request(mail, "ann@example.com", "Bill 42 from Acme Supplies awaits you")
    chromium.set_window_size(375, 740)
    chromium.get(mail.url)
    _element(chromium, By.CSS_SELECTOR, "#messages a.subject")
    width = chromium.execute_script("return document.documentElement.scrollWidth")
    viewport = chromium.execute_script("return window.innerWidth")
    assert width <= viewport, "the inbox scrolls sideways at 375 px"
    _shot(chromium, tmp_path, "inbox-375px")
