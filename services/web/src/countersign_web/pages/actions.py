"""E-mail buttons (ADR 0048): ``/act/<grant>?decision=approve|reject`` opens a page that says
what the decision is about and whose it is, and only its form's POST decides — a mail scanner
that follows the link decides nothing. No sign-in is needed for that one decision; the grant
is single use, and approval refuses it when used, expired, or when the step moved on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from countersign_web.approval import GrantRefused
from countersign_web.cookies import new_csrf
from countersign_web.pages.rendering import WebParts, check_form, page

__all__ = ["router"]

router = APIRouter()
Text = Annotated[str, Form(max_length=4000)]
DECISIONS = ("approve", "reject")


@router.get("/act/{grant}", response_class=HTMLResponse)
async def confirm(
    request: Request, grant: str, web: WebParts, decision: str = "approve"
) -> HTMLResponse:
    decision = decision if decision in DECISIONS else "approve"
    try:
        shown = await web.approval.grant_preview(grant)
    except GrantRefused as refused:
        return page("acted.html", refused.status, error=refused.reason)
    pending = web.cookies.pending(request)
    pending.setdefault("csrf", new_csrf())
    response = page(
        "act.html", grant=grant, decision=decision, csrf=pending["csrf"],
        request=shown["request"], name=shown["name"],
    )  # fmt: skip
    web.cookies.keep_pending(response, pending)
    return response


@router.post("/act/{grant}", response_class=HTMLResponse)
async def act(
    request: Request, grant: str, web: WebParts, decision: Text, csrf: Text = "",
    comment: Text = "",
) -> HTMLResponse:  # fmt: skip
    check_form(request, web, csrf, str(web.cookies.pending(request).get("csrf", "")))
    if decision not in DECISIONS:
        return page("acted.html", 422, error="Choose approve or reject.")
    try:
        decided = await web.approval.decide_with_grant(grant, decision, comment.strip() or None)
    except GrantRefused as refused:
        return page("acted.html", refused.status, error=refused.reason)
    return page("acted.html", decision=decision, request=decided)
