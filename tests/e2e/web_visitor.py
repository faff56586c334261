"""A visitor of the web app over plain HTTP — a browser as far as the server can tell: it keeps
the cookies, reads the forms' CSRF tokens, and signs in by the link the mail sandbox holds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx
from countersign_harness.organisation import Organisation

from tests.e2e.mailbox import sign_in_link

__all__ = ["Visitor", "csrf_of", "signed_in"]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


@dataclass
class Visitor:
    http: httpx.AsyncClient
    session_csrf: str = ""
    set_cookies: list[str] = field(default_factory=list)

    async def pending_csrf(self) -> str:
        """The token of the forms shown before sign-in (kept in the pending cookie)."""
        return csrf_of((await self.http.get("/sign-in")).text)

    async def post(self, path: str, **form: str) -> httpx.Response:
        """A form of a signed-in page, with the session's token."""
        return await self.http.post(path, data={"csrf": self.session_csrf, **form})


async def signed_in(org: Organisation, email: str) -> Visitor:
    """``email`` signed in to the organisation by the link mailed to them (their first)."""
    visitor = Visitor(httpx.AsyncClient(base_url=org.endpoints.web, timeout=15))
    asked = await visitor.http.post(
        "/sign-in", data={"email": email, "csrf": await visitor.pending_csrf()}
    )
    assert asked.status_code == 200, asked.text
    shown = await visitor.http.get(await sign_in_link(org, email))
    code = re.search(r'name="code" value="([^"]+)"', shown.text)
    assert code, shown.text
    redeemed = await visitor.http.post(
        "/sign-in/link", data={"code": code.group(1), "csrf": csrf_of(shown.text)}
    )
    assert (redeemed.status_code, redeemed.headers["location"]) == (303, "/inbox"), redeemed.text
    visitor.set_cookies = redeemed.headers.get_list("set-cookie")
    visitor.session_csrf = csrf_of((await visitor.http.get("/inbox")).text)
    return visitor
