"""The admin's settings page: what intake does with a likely duplicate cost item (approval's
``GET``/``PATCH /settings``; ingest applies it a moment later), and what the publisher does in
Xero (its ``/publication-settings``: decisions written to each bill's history, ADR 0051; the
day from which bills approved in Xero outside Countersign are reported, ADR 0055).

GET  /admin/settings     both services' settings as one form
POST /admin/settings     PUT the publisher's first (its start date may be refused), then PATCH
                         approval's; a refusal is shown with everything typed kept
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from countersign_web.cookies import WebSession
from countersign_web.pages.administration import as_admin, problem_errors
from countersign_web.pages.rendering import Parts, SignedIn, WebParts, check_form, page, see_other

__all__ = ["router"]

router = APIRouter()
Field = Annotated[str, Form(max_length=320)]

PUBLICATION = "/publication-settings"
DUPLICATE_POLICIES = {
    "warn": "Warn: take it, and show the approvers a warning linking the other request",
    "block": "Block: refuse it in Dext, naming the other item",
}


async def _settings_page(
    web: Parts, session: WebSession, status: int = 200, typed: Mapping[str, object] | None = None,
    **context: object,
) -> HTMLResponse:  # fmt: skip
    intake = await as_admin(web, session, "GET", "/settings")
    intake.raise_for_status()
    xero = await as_admin(web, session, "GET", PUBLICATION, service="publisher")
    xero.raise_for_status()
    return page(
        "admin_settings.html", status, session=session, cookies=web.cookies,
        settings={**intake.json(), **xero.json(), **(typed or {})}, policies=DUPLICATE_POLICIES,
        **context,
    )  # fmt: skip


@router.get("/admin/settings", response_class=HTMLResponse)
async def settings(web: WebParts, session: SignedIn, saved: int = 0) -> HTMLResponse:
    return await _settings_page(web, session, saved=bool(saved))


@router.post("/admin/settings", response_class=HTMLResponse)
async def save_settings(
    request: Request, web: WebParts, session: SignedIn, duplicate_policy: Field = "",
    xero_history_notes: Field = "", bypass_detection_from: Field = "", csrf: Field = "",
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    xero: dict[str, object] = {"xero_history_notes": xero_history_notes == "on",
            "bypass_detection_from": bypass_detection_from or None}  # fmt: skip
    answer = await as_admin(web, session, "PUT", PUBLICATION, xero, service="publisher")
    if answer.status_code == 200:
        body = {"duplicate_policy": duplicate_policy}
        answer = await as_admin(web, session, "PATCH", "/settings", body)
    if answer.status_code == 200:
        response = see_other("/admin/settings?saved=1")
        web.cookies.keep_session(response, session)
        return response
    errors = {str(e["field"]): str(e["message"]) for e in problem_errors(answer)}
    typed = {**xero, "duplicate_policy": duplicate_policy}
    return await _settings_page(
        web, session, answer.status_code, typed, error="; ".join(errors.values()), errors=errors
    )
