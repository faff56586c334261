"""Pages from Jinja templates (autoescaped), and what every page handler shares: the app's
parts, the signed-in person with a fresh access token, and the checks on a form (CSRF token
and same origin)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from countersign_contracts import ledger_title
from countersign_platform.mail import Outbox
from countersign_platform.oidc import OidcProvider
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from countersign_web.approval import Approval, SignInFailed
from countersign_web.calls import AsPerson
from countersign_web.cookies import Cookies, WebSession, same_token
from countersign_web.ingest import Ingest
from countersign_web.pages.forms import state_label
from countersign_web.settings import WebSettings

__all__ = ["Parts", "SignedIn", "WebParts", "check_form", "page", "parts", "see_other"]

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parents[1] / "templates"),
    autoescape=select_autoescape(["html"]),
    enable_async=False,
)
# The organisation's ledger as people read it ("Xero", "QuickBooks Online"), from the ledger a
# request or the coding options name (None: Xero, as before there was another ledger).
TEMPLATES.globals["ledger_title"] = ledger_title
TEMPLATES.globals["state_label"] = state_label


@dataclass(frozen=True)
class Parts:
    settings: WebSettings
    approval: Approval
    cookies: Cookies
    outbox: Outbox
    oidc: OidcProvider | None
    ingest: Ingest
    publisher: AsPerson


def parts(request: Request) -> Parts:
    found: Parts = request.app.state.parts
    return found


WebParts = Annotated[Parts, Depends(parts)]


class NotSignedIn(Exception):
    """Handled as a redirect to the sign-in page."""


def page(
    template: str,
    status_code: int = 200,
    session: WebSession | None = None,
    cookies: Cookies | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page; the session cookie written again when ``cookies`` is given (renewed token)."""
    html = TEMPLATES.get_template(template).render(session=session, **context)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if session is not None and cookies is not None:
        cookies.keep_session(response, session)
    return response


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def signed_in(request: Request, web: WebParts) -> WebSession:
    """The person signed in, with an access token good for a minute more at least."""
    session = web.cookies.session(request)
    if session is None:
        raise NotSignedIn
    if not session.access_fresh():
        try:
            token, expires_in = await web.approval.access_token(session.session_token)
        except SignInFailed:
            raise NotSignedIn from None
        session.access_token, session.access_expires_at = token, time.time() + expires_in
    return session


SignedIn = Annotated[WebSession, Depends(signed_in)]


class FormRefused(Exception):
    """A form without this person's CSRF token, or posted from another site."""


def check_form(request: Request, web: Parts, sent: str | None, expected: str) -> None:
    origin = request.headers.get("origin")
    ours = urlsplit(web.settings.public_url)
    if origin is not None and origin != f"{ours.scheme}://{ours.netloc}":
        raise FormRefused
    if not same_token(sent, expected):
        raise FormRefused
