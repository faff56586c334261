"""E-mail buttons (ADR 0048): ``/act/<grant>?decision=approve|reject`` opens a page that says
what the decision is about and whose it is, and only its form's POST decides — a mail scanner
that follows the link decides nothing. No sign-in is needed for that one decision; the grant
is single use, and approval refuses it when used, expired, or when the step moved on. A browser
signed in to Countersign as another person is refused: a forwarded mail decides nothing for its
reader. (The same person signed in to another of their organisations is no one else: sign-in
links go to the same address.)"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from countersign_web.approval import GrantRefused
from countersign_web.cookies import WebSession, new_csrf
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
    if (other := _someone_else(web.cookies.session(request), shown)) is not None:
        return other
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
        session = web.cookies.session(request)
        if session is not None and (
            other := _someone_else(session, await web.approval.grant_preview(grant))
        ):
            return other
        decided = await web.approval.decide_with_grant(grant, decision, comment.strip() or None)
    except GrantRefused as refused:
        return page("acted.html", refused.status, error=refused.reason)
    return page("acted.html", decision=decision, request=decided)


def _someone_else(session: WebSession | None, shown: dict[str, Any]) -> HTMLResponse | None:
    """The refusal when the browser is signed in as someone other than the grant's person:
    nothing decided, and the page says whose button it is."""
    if session is None or session.email.casefold() == str(shown["email"]).casefold():
        return None
    error = (
        f"This button was sent to {shown['name']} ({shown['email']}), and you are signed in as"
        f" {session.name} ({session.email}). Nothing was decided: it is theirs to use."
    )
    return page("acted.html", 403, session=session, error=error)
