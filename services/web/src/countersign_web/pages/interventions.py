"""The admin's interventions, as approval's API offers them to admins: the failed publications
and, on one request, force-approve or force-reject (a comment required), hand an approver's
place to someone else, and — when Xero refused the bill — recode a line, retry, or give the
publication up. Approval decides and refuses; its refusal is shown on the page."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from countersign_contracts import ledger_title
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from countersign_web.cookies import WebSession
from countersign_web.pages.administration import NotAdmin, problem_detail
from countersign_web.pages.rendering import Parts, SignedIn, WebParts, check_form, page, see_other
from countersign_web.pages.request_page import read

__all__ = ["router"]

router = APIRouter(prefix="/admin")
Field = Annotated[str, Form(max_length=4000)]
# Each intervention: approval's action, the form's fields it takes, the one it requires.
ACTIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "force-approve": (("comment",), "comment"),
    "force-reject": (("comment",), "comment"),
    "reassign": (("from_email", "to_email", "comment"), "to_email"),
    "retry-publication": (("comment",), None),
    "cancel-publication": (("reason",), "reason"),
}
DONE = {
    "force-approve": "approved by force", "force-reject": "rejected by force",
    "reassign": "reassigned", "retry-publication": "sent to {ledger} again",
    "cancel-publication": "given up", "recode": "recoded",
}  # fmt: skip


@router.get("/failed-publications", response_class=HTMLResponse)
async def failed(web: WebParts, session: SignedIn) -> HTMLResponse:
    found = await read(web, session, "/requests", {"state": "publish_failed", "limit": "500"})
    if found is None or not session.is_admin():
        raise NotAdmin(session)
    options = await read(web, session, "/coding-options")  # its ledger_title names the ledger
    return page(
        "admin_failed.html", session=session, cookies=web.cookies, requests=found, options=options
    )


async def _shown(
    web: Parts, session: WebSession, request_id: UUID, status_code: int = 200, **context: Any
) -> HTMLResponse:
    found = await read(web, session, f"/requests/{request_id}")
    if found is None:
        return page("missing.html", 404, session=session, cookies=web.cookies)
    if not session.is_admin():
        raise NotAdmin(session)
    notice = context.pop("notice", "").format(ledger=ledger_title(found.get("ledger")))
    failed = found["state"] == "publish_failed"
    options = await read(web, session, "/coding-options") if failed else None
    return page(
        "admin_request.html", status_code, session=session, cookies=web.cookies,
        request=found, options=options, notice=notice, **context,
    )  # fmt: skip


@router.get("/requests/{request_id}", response_class=HTMLResponse)
async def one_request(
    request_id: UUID, web: WebParts, session: SignedIn, notice: str = ""
) -> HTMLResponse:
    return await _shown(web, session, request_id, notice=DONE.get(notice, ""))


async def _act(
    web: Parts, session: WebSession, request_id: UUID, method: str, suffix: str,
    body: dict[str, Any], done: str,
) -> Response:  # fmt: skip
    path = session.org_path(f"/requests/{request_id}{suffix}")
    answer = await web.approval.call(session.token, method, path, body)
    if answer.status_code >= 400:
        error = problem_detail(answer)
        return await _shown(web, session, request_id, answer.status_code, error=error)
    response = see_other(f"/admin/requests/{request_id}?notice={done}")
    web.cookies.keep_session(response, session)
    return response


@router.post("/requests/{request_id}/{action}")
async def intervene(
    request: Request, request_id: UUID, action: str, web: WebParts, session: SignedIn,
    csrf: Field = "", comment: Field = "", reason: Field = "", from_email: Field = "",
    to_email: Field = "",
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    if action not in ACTIONS:
        return page("missing.html", 404, session=session, cookies=web.cookies)
    sent = {"comment": comment, "reason": reason, "from_email": from_email, "to_email": to_email}
    fields, required = ACTIONS[action]
    if required and not sent[required].strip():
        error = {required: "Required: it goes into the audit trail." if required != "to_email"
                 else "Whose place it becomes: their e-mail address."}  # fmt: skip
        return await _shown(web, session, request_id, 422, field_error=error, failed_action=action)
    body = {name: sent[name].strip() for name in fields if sent[name].strip()}
    return await _act(web, session, request_id, "POST", f"/{action}", body, action)


@router.post("/requests/{request_id}/lines/{line_index}")
async def recode(
    request: Request, request_id: UUID, line_index: int, web: WebParts, session: SignedIn,
    csrf: Field = "", account_code: Field = "", tax_type: Field = "", comment: Field = "",
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    edit = {"account_code": account_code, "tax_type": tax_type, "comment": comment}
    body = {name: value.strip() for name, value in edit.items() if value.strip()}
    suffix = f"/publication/lines/{line_index}"
    return await _act(web, session, request_id, "PATCH", suffix, body, "recode")
