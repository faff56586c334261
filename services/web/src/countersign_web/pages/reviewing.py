"""The reviewer's part of a request's page: recode a line (account, tax rate, tracking — each a
choice among what the organisation's Xero takes now), then submit the review. Approval checks
every value again; a refusal (422 naming ``lines[n].account_code`` and the rule) is shown at
that line's field."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from countersign_web.pages.forms import coding_body, field_errors
from countersign_web.pages.rendering import SignedIn, WebParts, check_form, see_other
from countersign_web.pages.request_page import read, request_page

__all__ = ["router"]

router = APIRouter()
Comment = Annotated[str, Form(max_length=4000)]
MAX_FIELDS = 10  # a line's form: its token, account, tax rate and a few tracking categories


@router.post("/requests/{request_id}/lines/{line_index}")
async def recode_line(
    request: Request, request_id: UUID, line_index: int, web: WebParts, session: SignedIn
) -> Response:
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    fields = {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= 200}
    check_form(request, web, fields.get("csrf"), session.csrf)
    options = await read(web, session, "/coding-options") or {}
    categories = [c["name"] for c in options.get("tracking_categories", [])] or sorted(
        k.removeprefix("tracking:") for k in fields if k.startswith("tracking:")
    )
    body, errors = coding_body(fields, categories)
    if not errors:
        path = session.org_path(f"/requests/{request_id}/lines/{line_index}")
        answer = await web.approval.call(session.token, "PATCH", path, body)
        if answer.status_code == 200:
            return _kept(web, session, see_other(f"/requests/{request_id}?notice=recoded"))
        if answer.status_code not in (403, 404, 409, 422):
            answer.raise_for_status()
        errors = field_errors(answer.json(), line=line_index)
    shown: dict[str, Any] = {"line_errors": {line_index: errors}, "error": errors.get("")}
    return await request_page(web, session, str(request_id), 422, **shown)


@router.post("/requests/{request_id}/review")
async def submit_review(
    request: Request, request_id: UUID, web: WebParts, session: SignedIn,
    csrf: Comment = "", comment: Comment = "",
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    path = session.org_path(f"/requests/{request_id}/review")
    body = {"comment": comment} if comment.strip() else {}
    answer = await web.approval.call(session.token, "POST", path, body)
    if answer.status_code == 200:
        return _kept(web, session, see_other(f"/requests/{request_id}?notice=reviewed"))
    detail = answer.json().get("detail", "The review was refused.")
    return await request_page(web, session, str(request_id), answer.status_code, error=detail)


def _kept(web: WebParts, session: SignedIn, response: Response) -> Response:
    web.cookies.keep_session(response, session)
    return response
