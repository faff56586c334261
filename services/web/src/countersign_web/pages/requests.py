"""The approver's pages: what awaits me, one request, approve or reject it (for myself, or for
an absent approver I stand in for). Every call goes to approval as the signed-in person, so
approval decides what they may see and do; its refusals are shown as they come (a 409 when
someone else decided first, a 403 when it is not theirs)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from countersign_web.cookies import WebSession
from countersign_web.ingest import SHOWN_INLINE
from countersign_web.pages.away import out_of_office
from countersign_web.pages.rendering import Parts, SignedIn, WebParts, check_form, page, see_other
from countersign_web.pages.request_page import read, request_page

__all__ = ["router"]

router = APIRouter()
Comment = Annotated[str, Form(max_length=4000)]
Email = Annotated[str, Form(max_length=320)]


@router.get("/", include_in_schema=False)
async def home(request: Request, web: WebParts) -> Response:
    return see_other("/inbox" if web.cookies.session(request) else "/sign-in")


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(web: WebParts, session: SignedIn) -> HTMLResponse:
    pending = await read(web, session, "/requests/pending") or []
    away = {p["user_id"]: p for p in (await out_of_office(web, session))["standing_in_for"]}
    for r in pending:  # awaiting someone I stand in for, and not me: say for whom
        awaited = {a["user_id"] for a in r.get("awaiting", [])}
        mine = session.user_id in awaited
        r["stands_in_for"] = [] if mine else [away[u] for u in awaited if u in away]
    return page("inbox.html", session=session, cookies=web.cookies, requests=pending)


@router.get("/requests/{request_id}", response_class=HTMLResponse)
async def one_request(
    request_id: UUID, web: WebParts, session: SignedIn, notice: str = ""
) -> HTMLResponse:
    return await request_page(web, session, str(request_id), notice=notice)


@router.get("/requests/{request_id}/original", include_in_schema=False)
async def original(request_id: UUID, web: WebParts, session: SignedIn) -> Response:
    """The scan beside the bill: approval says whether this person may see the request, ingest
    serves its file to them. A bill pulled from Xero (ADR 0058) has its files in Xero: the
    link goes to the bill there."""
    found = await read(web, session, f"/requests/{request_id}")
    if found is not None and found.get("source") == "xero":
        return see_other(found["original_document_url"])
    fetched = (
        None
        if found is None
        else await web.ingest.original(
            session.token, session.organisation_id, found["bill"]["document"]["document_id"]
        )
    )
    if fetched is None:
        return page("missing.html", 404, session=session, cookies=web.cookies)
    content, media_type = fetched
    inline = media_type in SHOWN_INLINE
    response = Response(content, media_type=media_type if inline else "application/octet-stream")
    response.headers["Content-Disposition"] = "inline" if inline else "attachment"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    web.cookies.keep_session(response, session)
    return response


async def _decide(
    request: Request, web: Parts, session: WebSession, request_id: UUID, action: str,
    body: dict[str, Any], csrf: str,
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    path = session.org_path(f"/requests/{request_id}/{action}")
    answer = await web.approval.call(session.token, "POST", path, body)
    response: Response
    if answer.status_code == 200:
        done = "approved" if action == "approve" else "rejected"
        response = see_other(f"/requests/{request_id}?notice={done}")
    else:
        detail = answer.json().get("detail", "The decision was refused.")
        response = await request_page(
            web, session, str(request_id), answer.status_code, error=detail
        )
    web.cookies.keep_session(response, session)
    return response


def _behalf(on_behalf_of: str) -> dict[str, str]:
    return {"on_behalf_of": on_behalf_of.strip()} if on_behalf_of.strip() else {}


@router.post("/requests/{request_id}/approve")
async def approve(
    request: Request, request_id: UUID, web: WebParts, session: SignedIn,
    csrf: Comment = "", comment: Comment = "", step: int | None = Form(default=None),
    on_behalf_of: Email = "",
) -> Response:  # fmt: skip
    body: dict[str, Any] = {"step": step} | ({"comment": comment} if comment.strip() else {})
    body |= _behalf(on_behalf_of)
    return await _decide(request, web, session, request_id, "approve", body, csrf)


@router.post("/requests/{request_id}/reject")
async def reject(
    request: Request, request_id: UUID, web: WebParts, session: SignedIn,
    csrf: Comment = "", reason: Comment = "", step: int | None = Form(default=None),
    on_behalf_of: Email = "",
) -> Response:  # fmt: skip
    if not reason.strip():
        check_form(request, web, csrf, session.csrf)
        return await request_page(
            web, session, str(request_id), 422,
            error="Say why you reject it: the requester reads it.",
        )  # fmt: skip
    body = {"reason": reason, "step": step} | _behalf(on_behalf_of)
    return await _decide(request, web, session, request_id, "reject", body, csrf)
