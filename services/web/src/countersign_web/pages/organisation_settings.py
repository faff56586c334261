"""The admin's settings page: what intake does with a likely duplicate cost item and where the
organisation's bills start, Dext or Xero, with the user who owns bills pulled from Xero
(approval's ``GET``/``PATCH /settings``, ADR 0052 and 0058; ingest and the publisher apply
them a moment later, and the page says which mode the publisher acts on), and what the
publisher does in
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
LEDGER_MODES = {
    "direct": "Dext: bills are approved here first, then created in Xero",
    "via_xero": "Xero: bills submitted for approval in Xero (Awaiting Approval) by any capture"
    " tool are pulled here, approved, and authorised in Xero; new items from Dext are refused",
}
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
    users = await as_admin(web, session, "GET", "/users")
    users.raise_for_status()
    publishing = xero.json()
    in_force = publishing.pop("ledger_mode")  # approval's is the setting; this, as applied
    return page(
        "admin_settings.html", status, session=session, cookies=web.cookies,
        settings={**intake.json(), **publishing, **(typed or {})}, policies=DUPLICATE_POLICIES,
        modes=LEDGER_MODES, mode_in_force=in_force, users=users.json(), **context,
    )  # fmt: skip


@router.get("/admin/settings", response_class=HTMLResponse)
async def settings(web: WebParts, session: SignedIn, saved: int = 0) -> HTMLResponse:
    return await _settings_page(web, session, saved=bool(saved))


@router.post("/admin/settings", response_class=HTMLResponse)
async def save_settings(
    request: Request, web: WebParts, session: SignedIn, duplicate_policy: Field = "",
    xero_history_notes: Field = "", bypass_detection_from: Field = "", csrf: Field = "",
    ledger_mode: Field = "direct", via_xero_requester: Field = "",
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    xero: dict[str, object] = {"xero_history_notes": xero_history_notes == "on",
            "bypass_detection_from": bypass_detection_from or None}  # fmt: skip
    answer = await as_admin(web, session, "PUT", PUBLICATION, xero, service="publisher")
    intake: dict[str, object] = {"duplicate_policy": duplicate_policy, "ledger_mode": ledger_mode,
              "via_xero_requester": via_xero_requester or None}  # fmt: skip
    if answer.status_code == 200:
        answer = await as_admin(web, session, "PATCH", "/settings", intake)
    if answer.status_code == 200:
        response = see_other("/admin/settings?saved=1")
        web.cookies.keep_session(response, session)
        return response
    errors = {str(e["field"]): str(e["message"]) for e in problem_errors(answer)}
    typed = {**xero, **intake}
    return await _settings_page(
        web, session, answer.status_code, typed, error="; ".join(errors.values()), errors=errors
    )
