"""The headers every answer of the web app carries, whatever page it is:

Referrer-Policy: same-origin   an e-mail button's address (its grant) never leaves with a
                               click on a link to Dext or Xero
X-Content-Type-Options         no guessing a file's type
X-Frame-Options, and CSP frame-ancestors: no other site frames a page (clickjacking)
Content-Security-Policy        on pages: scripts, styles, images and frames from this app
                               only, no plugins, no <base>; not on the original document
                               itself (a browser's PDF viewer shows it framed in our page)
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders"]

EVERY_ANSWER = {
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
}
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " frame-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'none'"
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in EVERY_ANSWER.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
            await send(message)

        await self._app(scope, receive, with_headers)
