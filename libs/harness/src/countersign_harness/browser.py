"""A person's browser, as far as server-rendered forms go: cookies kept, redirects followed,
a form submitted with its hidden fields and the button pressed. For the flows that pass
through pages (Xero's login and consent, Countersign's pages), in tests, the demo and scripts.

    page = await browser.open(url)
    page = await browser.submit(page, "login-form", {"email": …, "password": …})
    page.element("outcome")["data-outcome"]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx
from countersign_platform.client_tls import client_tls

__all__ = ["Browser", "Form", "Page"]


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden and checked inputs
    options: dict[str, list[str]] = field(default_factory=dict)  # name → values offered
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (name, value)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, Form] = {}
        self.elements: dict[str, dict[str, str]] = {}
        self._form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.elements[a["id"]] = {"tag": tag, **a}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms[a.get("id", str(len(self.forms)))] = self._form
        elif self._form is not None and tag in ("input", "button"):
            self._control(tag, a)

    def _control(self, tag: str, a: dict[str, str]) -> None:
        assert self._form is not None
        name, value, kind = a.get("name", ""), a.get("value", ""), a.get("type", "text")
        if tag == "button" or kind == "submit":
            self._form.buttons[a.get("id", name)] = (name, value)
        elif kind in ("checkbox", "radio"):
            self._form.options.setdefault(name, []).append(value)
            if "checked" in a:
                self._form.fields.append((name, value))
        elif name:
            self._form.fields.append((name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


@dataclass
class Page:
    url: str
    status: int
    html: str
    forms: dict[str, Form]
    elements: dict[str, dict[str, str]]

    def element(self, element_id: str) -> dict[str, str]:
        return self.elements[element_id]


def _page(response: httpx.Response) -> Page:
    reader = _Reader()
    reader.feed(response.text)
    return Page(
        str(response.url), response.status_code, response.text, reader.forms, reader.elements
    )


class Browser:
    def __init__(self, timeout_s: float = 15.0) -> None:
        self.http = httpx.AsyncClient(follow_redirects=True, timeout=timeout_s, verify=client_tls())

    async def open(self, url: str) -> Page:
        return _page(await self.http.get(url))

    async def submit(
        self,
        page: Page,
        form_id: str,
        fill: dict[str, str | list[str]] | None = None,
        button: str | None = None,
    ) -> Page:
        """Submits the form: its hidden and pre-checked fields, replaced by ``fill`` where
        named, and the ``button`` pressed (its id) if it has a name."""
        form = page.forms[form_id]
        fill = fill or {}
        pairs = [(k, v) for k, v in form.fields if k not in fill]
        for name, value in fill.items():
            pairs += [(name, v) for v in ([value] if isinstance(value, str) else value)]
        if button is not None and form.buttons[button][0]:
            pairs.append(form.buttons[button])
        target = urljoin(page.url, form.action or page.url)
        if form.method == "post":
            return _page(await self.http.post(target, data=dict_of(pairs)))
        return _page(await self.http.get(target, params=dict_of(pairs)))

    async def aclose(self) -> None:
        await self.http.aclose()


def dict_of(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Form pairs as httpx takes them: a name given twice becomes a list."""
    out: dict[str, str | list[str]] = {}
    for name, value in pairs:
        held = out.get(name)
        if held is None:
            out[name] = value
        elif isinstance(held, list):
            held.append(value)
        else:
            out[name] = [held, value]
    return out
