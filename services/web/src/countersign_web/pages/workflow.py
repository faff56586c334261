"""The workflow editor: the organisation's current workflow as a form, saved as its next
version, and the versions saved before.

GET  /admin/workflow[?version=N]   the current workflow (or version N, to start from it) in
                                   the form, its version, and the history
POST /admin/workflow               "Add …"/"Remove …" buttons: the same form with one more or
                                   one fewer step, row, rule or condition, nothing saved;
                                   "Save": PUT /workflow with the document the form makes —
                                   approval's 422 shown at the fields it names, entries kept

The form and the document: ``workflow_form`` and ``workflow_document``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from countersign_web.cookies import WebSession
from countersign_web.pages.administration import as_admin, problem_errors
from countersign_web.pages.people import ROLES
from countersign_web.pages.rendering import Parts, SignedIn, WebParts, check_form, page, see_other
from countersign_web.workflow_document import FormErrors, field_errors, workflow_document
from countersign_web.workflow_form import WorkflowForm, edit, form_from_document, form_from_fields

__all__ = ["router"]

router = APIRouter()
# A form of 20 steps of 50 rows with a few conditions each stays well under this.
MAX_FIELDS = 10_000
CONDITION_FIELDS = {
    "": "— none —",
    "total": "Total",
    "supplier": "Supplier",
    "requester": "Requester (e-mail)",
    "account": "Account code (a line)",
    "tax_type": "Tax type (a line)",
    "tracking": "Tracking option (a line)",
}
OPERATORS = {
    "matches": "matches",
    "does_not_match": "does not match",
    "<": "less than",
    ">=": "at least",
    "between": "between",
}


async def _json_or(web: Parts, session: WebSession, suffix: str, missing: Any) -> Any:
    answer = await as_admin(web, session, "GET", suffix)
    if answer.status_code == 404:
        return missing
    answer.raise_for_status()
    return answer.json()


async def _editor(
    web: Parts, session: WebSession, form: WorkflowForm | None, status: int = 200,
    errors: FormErrors | None = None, version: int | None = None, **context: Any,
) -> HTMLResponse:  # fmt: skip
    """The editor page: ``form`` as given, or else version ``version`` or the current one."""
    current, versions, users = await asyncio.gather(
        _json_or(web, session, "/workflow", None),
        _json_or(web, session, "/workflow/versions", []),
        _json_or(web, session, "/users", []),
    )
    if form is None:
        chosen = next((v for v in versions if v["version"] == version), current)
        form = form_from_document(chosen["document"]) if chosen else WorkflowForm()
        context["loaded"] = chosen["version"] if chosen and version is not None else None
    names = {u["user_id"]: u["name"] for u in users}
    errors = errors or FormErrors()
    return page(
        "admin_workflow.html", status, session=session, cookies=web.cookies, form=form,
        errors=errors, e=errors.by_field, current=current, versions=list(reversed(versions)),
        users=users, names=names, fields=CONDITION_FIELDS, operators=OPERATORS,
        roles=ROLES, **context,
    )  # fmt: skip


@router.get("/admin/workflow", response_class=HTMLResponse)
async def editor(
    web: WebParts, session: SignedIn, version: int | None = None, saved: int | None = None
) -> HTMLResponse:
    return await _editor(web, session, None, version=version, saved=saved)


@router.post("/admin/workflow", response_class=HTMLResponse)
async def save(request: Request, web: WebParts, session: SignedIn) -> Response:
    posted = await request.form(max_fields=MAX_FIELDS, max_files=0)
    fields = {key: value for key, value in posted.items() if isinstance(value, str)}
    check_form(request, web, fields.get("csrf"), session.csrf)
    form = form_from_fields(fields)
    if edit(form, fields.get("action", "save")):
        return await _editor(web, session, form)
    built = workflow_document(form)
    answer = await as_admin(web, session, "PUT", "/workflow", built.document)
    if answer.status_code == 201:
        response: Response = see_other(f"/admin/workflow?saved={answer.json()['version']}")
        web.cookies.keep_session(response, session)
        return response
    errors = field_errors(problem_errors(answer), built.origins)
    return await _editor(web, session, form, answer.status_code, errors)
