"""Finding requests: the history (every request I may see, searched by supplier, total, state,
dates, and the ones I decided) and my items (what I requested: where each stands, who it
waits for, and, when rejected, who rejected it and why). Both read approval's request listing
as the signed-in person; the search is a GET form, so a search is a link one can keep."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from countersign_web.cookies import WebSession
from countersign_web.pages.forms import STATES, field_errors, history_of
from countersign_web.pages.rendering import Parts, SignedIn, WebParts, page

__all__ = ["router"]

router = APIRouter()
LIMIT = "200"


async def _listing(
    web: Parts, session: WebSession, query: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The requests approval finds, or none and its refusal by field."""
    path = session.org_path("/requests")
    answer = await web.approval.call(session.token, "GET", path, None, query)
    if answer.status_code == 422:
        return [], field_errors(answer.json())
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()
    return found, {}


@router.get("/history", response_class=HTMLResponse)
async def history(request: Request, web: WebParts, session: SignedIn) -> HTMLResponse:
    search = history_of(request.query_params)
    found: list[dict[str, Any]] = []
    if not search.errors:
        found, search.errors = await _listing(web, session, search.query | {"limit": LIMIT})
    return page(
        "history.html", 422 if search.errors else 200, session=session, cookies=web.cookies,
        requests=found, typed=search.typed, errors=search.errors, states=STATES,
        searched=any(search.typed.values()),
    )  # fmt: skip


@router.get("/mine", response_class=HTMLResponse)
async def mine(web: WebParts, session: SignedIn) -> HTMLResponse:
    query = {"requested_by": "me", "newest_first": "true", "limit": LIMIT}
    found, errors = await _listing(web, session, query)
    return page(
        "mine.html", session=session, cookies=web.cookies, requests=found,
        error=errors.get(""),
    )  # fmt: skip
