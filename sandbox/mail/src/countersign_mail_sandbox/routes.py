"""The HTTP side: pages for people, JSON for tests, the source of each message.

GET    /                          the inbox, newest first (?to= one recipient)
GET    /messages/{id}             one message: headers, links, HTML part, text part
GET    /messages/{id}/html        the HTML part alone, sandboxed by its CSP
POST   /messages/delete           empty the mailbox (the inbox's button), back to /
GET    /api/messages              JSON, newest first (?to=, ?subject=)
GET    /api/messages/{id}         JSON of one message
GET    /api/messages/{id}/raw     the RFC 5322 source, as received
DELETE /api/messages              empty the mailbox
GET    /health/live, /health/ready
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from countersign_mail_sandbox.mailbox import Mailbox
from countersign_mail_sandbox.pages import (
    PAGE_CSP,
    PART_CSP,
    framed_html,
    inbox_page,
    message_page,
    missing_page,
)

__all__ = ["mail_routes"]

_NOT_CACHED = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _html(body: str, status_code: int = 200, csp: str = PAGE_CSP) -> HTMLResponse:
    headers = {**_NOT_CACHED, "Content-Security-Policy": csp, "Referrer-Policy": "no-referrer"}
    return HTMLResponse(body, status_code=status_code, headers=headers)


def _missing(message_id: str) -> JSONResponse:
    problem = {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": f"no message {message_id} in the mailbox (deleted, or dropped as the oldest)",
    }
    return JSONResponse(problem, status_code=404, media_type="application/problem+json")


def _page_routes(mailbox: Mailbox, router: APIRouter) -> None:
    @router.get("/", response_class=HTMLResponse, summary="The inbox page")
    async def inbox(to: str | None = Query(None, description="one recipient address")) -> Response:
        return _html(inbox_page(mailbox.newest_first(to=to), to))

    @router.get("/messages/{message_id}", response_class=HTMLResponse, summary="A message page")
    async def message(message_id: str) -> Response:
        if (shown := mailbox.get(message_id)) is None:
            return _html(missing_page(message_id), 404)
        return _html(message_page(shown))

    @router.get("/messages/{message_id}/html", response_class=HTMLResponse, summary="HTML part")
    async def html_part(message_id: str) -> Response:
        shown = mailbox.get(message_id)
        if shown is None or shown.html is None:
            return _html(missing_page(message_id), 404)
        return _html(framed_html(shown), csp=PART_CSP)

    @router.post("/messages/delete", summary="Empty the mailbox, then show the inbox")
    async def delete_from_page() -> Response:
        mailbox.clear()
        return RedirectResponse("/", status_code=303)


def _api_routes(mailbox: Mailbox, router: APIRouter) -> None:
    @router.get("/api/messages", summary="Messages as JSON, newest first")
    async def list_messages(
        to: str | None = Query(None, description="one recipient (envelope, To or Cc)"),
        subject: str | None = Query(None, description="a part of the subject"),
    ) -> JSONResponse:
        listed = [m.as_json() for m in mailbox.newest_first(to=to, subject=subject)]
        return JSONResponse(listed, headers=_NOT_CACHED)

    @router.get("/api/messages/{message_id}", summary="One message as JSON")
    async def get_message(message_id: str) -> JSONResponse:
        if (shown := mailbox.get(message_id)) is None:
            return _missing(message_id)
        return JSONResponse(shown.as_json(), headers=_NOT_CACHED)

    @router.get("/api/messages/{message_id}/raw", summary="The source, as received")
    async def raw(message_id: str) -> Response:
        if (shown := mailbox.get(message_id)) is None:
            return _missing(message_id)
        headers = {**_NOT_CACHED, "Content-Disposition": f'inline; filename="{message_id}.eml"'}
        return Response(shown.raw, media_type="text/plain; charset=utf-8", headers=headers)

    @router.delete("/api/messages", summary="Empty the mailbox")
    async def delete_all() -> dict[str, int]:
        return {"deleted": mailbox.clear()}


def mail_routes(mailbox: Mailbox) -> APIRouter:
    router = APIRouter()
    _page_routes(mailbox, router)
    _api_routes(mailbox, router)

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready", response_model=None)
    async def ready(request: Request) -> dict[str, Any] | JSONResponse:
        smtp = request.app.state.smtp
        if smtp is None or not smtp.is_serving():
            return JSONResponse({"status": "unavailable", "smtp": "not listening"}, 503)
        return {"status": "ok", "messages": len(mailbox), "dropped": mailbox.dropped}

    return router
