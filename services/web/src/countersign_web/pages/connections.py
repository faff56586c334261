"""The organisation's connections, for its admins: its ledger — Xero or QuickBooks Online,
one at a time (state, connect, disconnect) — through the publisher's API, and the Dext
credential (which verify, issue or rotate, end the overlap, revoke) through ingest's — as the
signed-in admin, so those services decide who may. A new Dext secret is shown once, on the
page that issued it (not cached), and never again."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from countersign_web.cookies import WebSession
from countersign_web.pages.administration import NotAdmin, problem_detail
from countersign_web.pages.rendering import Parts, SignedIn, WebParts, check_form, page, see_other

__all__ = ["router"]

router = APIRouter(prefix="/admin/connections")
Field = Annotated[str, Form(max_length=4000)]
CONFIRM = "yes"
LedgerName = Literal["xero", "qbo"]


async def _shown(
    web: Parts, session: WebSession, status_code: int = 200, **context: Any
) -> HTMLResponse:
    token = session.token
    ledger = await web.publisher.call(token, "GET", session.org_path("/ledger-connection"))
    dext = await web.ingest.call(token, "GET", session.org_path("/dext-credentials"))
    if 403 in (ledger.status_code, dext.status_code):
        raise NotAdmin(session)
    ledger.raise_for_status()
    dext.raise_for_status()
    return page(
        "admin_connections.html", status_code, session=session, cookies=web.cookies,
        ledger=ledger.json(), dext=dext.json(), **context,
    )  # fmt: skip


@router.get("", response_class=HTMLResponse)
async def connections(web: WebParts, session: SignedIn, notice: str = "") -> HTMLResponse:
    return await _shown(web, session, notice=notice)


@router.post("/xero/connect")
async def connect_xero(
    request: Request, web: WebParts, session: SignedIn, csrf: Field = ""
) -> Response:
    """To Xero's consent page; Xero sends the browser back to the publisher's callback."""
    return await _connect(request, web, session, csrf, "xero")


@router.post("/qbo/connect")
async def connect_qbo(
    request: Request, web: WebParts, session: SignedIn, csrf: Field = ""
) -> Response:
    """To Intuit's consent page, which chooses the company; Intuit sends the browser back to
    the publisher's callback."""
    return await _connect(request, web, session, csrf, "qbo")


async def _connect(
    request: Request, web: Parts, session: WebSession, csrf: str, ledger: LedgerName
) -> Response:
    check_form(request, web, csrf, session.csrf)
    path = session.org_path(f"/{ledger}-connection/authorisations")
    started = await web.publisher.call(session.token, "POST", path)
    if started.status_code != 201:
        return await _shown(web, session, started.status_code, error=problem_detail(started))
    response = RedirectResponse(started.json()["authorize_url"], status_code=303)
    web.cookies.keep_session(response, session)
    return response


async def _changed(
    web: Parts, session: WebSession, answer: httpx.Response, notice: str
) -> Response:
    if answer.status_code >= 400:
        return await _shown(web, session, answer.status_code, error=problem_detail(answer))
    response = see_other(f"/admin/connections?notice={notice}")
    web.cookies.keep_session(response, session)
    return response


@router.post("/xero/disconnect")
async def disconnect_xero(
    request: Request, web: WebParts, session: SignedIn, csrf: Field = "", confirm: Field = ""
) -> Response:
    return await _disconnect(request, web, session, csrf, confirm, "xero")


@router.post("/qbo/disconnect")
async def disconnect_qbo(
    request: Request, web: WebParts, session: SignedIn, csrf: Field = "", confirm: Field = ""
) -> Response:
    return await _disconnect(request, web, session, csrf, confirm, "qbo")


async def _disconnect(
    request: Request, web: Parts, session: WebSession, csrf: str, confirm: str, ledger: LedgerName
) -> Response:
    check_form(request, web, csrf, session.csrf)
    if confirm != CONFIRM:
        return await _shown(web, session, 422, field_error={"ledger-confirm": _UNCONFIRMED})
    path = session.org_path(f"/{ledger}-connection")
    answer = await web.publisher.call(session.token, "DELETE", path)
    return await _changed(web, session, answer, f"{ledger}-disconnected")


@router.post("/dext/issue", response_class=HTMLResponse)
async def issue_dext(
    request: Request, web: WebParts, session: SignedIn, csrf: Field = ""
) -> Response:
    check_form(request, web, csrf, session.csrf)
    answer = await web.ingest.call(session.token, "POST", session.org_path("/dext-credentials"))
    if answer.status_code >= 400:
        return await _shown(web, session, answer.status_code, error=problem_detail(answer))
    return page(
        "admin_dext_secret.html", session=session, cookies=web.cookies, issued=answer.json()
    )


@router.post("/dext/end-previous")
async def end_previous(
    request: Request, web: WebParts, session: SignedIn, csrf: Field = ""
) -> Response:
    check_form(request, web, csrf, session.csrf)
    path = session.org_path("/dext-credentials/previous")
    answer = await web.ingest.call(session.token, "DELETE", path)
    return await _changed(web, session, answer, "dext-previous-ended")


@router.post("/dext/revoke")
async def revoke_dext(
    request: Request, web: WebParts, session: SignedIn, csrf: Field = "", confirm: Field = ""
) -> Response:
    check_form(request, web, csrf, session.csrf)
    if confirm != CONFIRM:
        return await _shown(web, session, 422, field_error={"dext-confirm": _UNCONFIRMED})
    path = session.org_path("/dext-credentials/current")
    answer = await web.ingest.call(session.token, "DELETE", path)
    return await _changed(web, session, answer, "dext-revoked")


_UNCONFIRMED = "Tick the box to confirm: nothing was changed."
