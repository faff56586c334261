"""The admin's settings page: what intake does with a likely duplicate cost item (approval's
``GET``/``PATCH /settings``; ingest applies it a moment later).

GET  /admin/settings     the organisation's settings as a form
POST /admin/settings     PATCH /settings {duplicate_policy}
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from countersign_web.cookies import WebSession
from countersign_web.pages.administration import as_admin, problem_errors
from countersign_web.pages.rendering import Parts, SignedIn, WebParts, check_form, page, see_other

__all__ = ["router"]

router = APIRouter()
Field = Annotated[str, Form(max_length=320)]

DUPLICATE_POLICIES = {
    "warn": "Warn: take it, and show the approvers a warning linking the other request",
    "block": "Block: refuse it in Dext, naming the other item",
}


async def _settings_page(
    web: Parts, session: WebSession, status: int = 200, **context: object
) -> HTMLResponse:
    answer = await as_admin(web, session, "GET", "/settings")
    answer.raise_for_status()
    return page(
        "admin_settings.html", status, session=session, cookies=web.cookies,
        settings=answer.json(), policies=DUPLICATE_POLICIES, **context,
    )  # fmt: skip


@router.get("/admin/settings", response_class=HTMLResponse)
async def settings(web: WebParts, session: SignedIn, saved: int = 0) -> HTMLResponse:
    return await _settings_page(web, session, saved=bool(saved))


@router.post("/admin/settings", response_class=HTMLResponse)
async def save_settings(
    request: Request, web: WebParts, session: SignedIn,
    duplicate_policy: Field = "", csrf: Field = "",
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    body = {"duplicate_policy": duplicate_policy}
    answer = await as_admin(web, session, "PATCH", "/settings", body)
    if answer.status_code == 200:
        response = see_other("/admin/settings?saved=1")
        web.cookies.keep_session(response, session)
        return response
    errors = [str(e["message"]) for e in problem_errors(answer)]
    return await _settings_page(web, session, answer.status_code, error="; ".join(errors))
