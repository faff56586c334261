"""What a page must give people who use a keyboard or a screen reader, checked in the browser:
every form field has a label, every button and link says what it does, and a control is
reached with the Tab key."""

from __future__ import annotations

from selenium.webdriver import Chrome
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

__all__ = ["reach_by_keyboard", "unlabelled"]

_UNLABELLED = """
const named = (el) => (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
                       || (el.labels && el.labels.length > 0));
const fields = [...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.type !== 'hidden' && !named(el));
const controls = [...document.querySelectorAll('button, a[href]')]
  .filter((el) => !(el.innerText || '').trim() && !el.getAttribute('aria-label'));
return [...fields, ...controls].map((el) => el.outerHTML.slice(0, 120));
"""


def unlabelled(browser: Chrome) -> list[str]:
    """The page's fields without a label and its buttons or links without words."""
    found: list[str] = browser.execute_script(_UNLABELLED)
    return found


def reach_by_keyboard(browser: Chrome, element_id: str, presses: int = 40) -> bool:
    """Whether Tab, pressed from the top of the page, brings the focus to ``element_id``."""
    browser.execute_script("document.activeElement && document.activeElement.blur()")
    for _ in range(presses):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.execute_script("return document.activeElement.id") == element_id:
            return True
    return False
