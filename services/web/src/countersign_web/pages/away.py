"""Out of office (``/away``): the signed-in person names who decides in their place from one
day to another, or says they are back; the page also shows whom they stand in for now.
Approval's out-of-office endpoints decide, as the person; its refusals show at the field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from countersign_web.cookies import WebSession
from countersign_web.pages.forms import AbsenceForm, absence_body, field_errors
from countersign_web.pages.rendering import Parts, SignedIn, WebParts, check_form, page, see_other

__all__ = ["out_of_office", "router"]

router = APIRouter()
Field = Annotated[str, Form(max_length=400)]


def _path(session: WebSession, suffix: str = "") -> str:
    return session.org_path(f"/users/{session.user_id}{suffix}")


async def out_of_office(web: Parts, session: WebSession) -> dict[str, Any]:
    """The person's absence (or None) and whom they stand in for now (``standing_in_for``)."""
    answer = await web.approval.call(session.token, "GET", _path(session, "/out-of-office"))
    answer.raise_for_status()
    found: dict[str, Any] = answer.json()
    return found


async def _page(
    web: Parts, session: WebSession, status: int = 200, typed: AbsenceForm | None = None,
    errors: dict[str, str] | None = None, notice: str = "",
) -> HTMLResponse:  # fmt: skip
    state = await out_of_office(web, session)
    return page(
        "away.html", status, session=session, cookies=web.cookies, absence=state["absence"],
        standing_in_for=state["standing_in_for"], typed=typed or AbsenceForm("", "", ""),
        errors=errors or {}, error=(errors or {}).get(""), notice=notice,
    )  # fmt: skip


@router.get("/away", response_class=HTMLResponse)
async def away(web: WebParts, session: SignedIn, notice: str = "") -> HTMLResponse:
    return await _page(web, session, notice={"set": "set", "cleared": "cleared"}.get(notice, ""))


@router.post("/away", response_class=HTMLResponse)
async def set_away(
    request: Request, web: WebParts, session: SignedIn, csrf: Field = "",
    substitute_email: Field = "", starts_on: Field = "", ends_on: Field = "",
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    typed = AbsenceForm(substitute_email, starts_on, ends_on)
    body, errors = absence_body(typed)
    if body is None:
        return await _page(web, session, 422, typed, errors)
    answer = await web.approval.call(session.token, "PUT", _path(session, "/absence"), body)
    if answer.status_code in (403, 404, 409, 422):
        return await _page(web, session, answer.status_code, typed, field_errors(answer.json()))
    answer.raise_for_status()
    response = see_other("/away?notice=set")
    web.cookies.keep_session(response, session)
    return response


@router.post("/away/back", response_class=HTMLResponse)
async def back(request: Request, web: WebParts, session: SignedIn, csrf: Field = "") -> Response:
    check_form(request, web, csrf, session.csrf)
    answer = await web.approval.call(session.token, "DELETE", _path(session, "/absence"))
    if answer.status_code not in (204, 404):  # 404: it had ended already
        answer.raise_for_status()
    response = see_other("/away?notice=cleared")
    web.cookies.keep_session(response, session)
    return response
