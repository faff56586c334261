"""The admin's people page: who the organisation's users are, invite one, change their roles,
remove one (after a confirmation page). Every act is approval's people API as the signed-in
admin; its refusals are shown at the field they name.

GET  /admin/people                       the users, and the invitation form
POST /admin/people                       POST /users (the API token it issues is dropped:
                                         people sign in with their e-mail address)
POST /admin/people/{user_id}/roles       PATCH /users/{user_id} {roles}
GET  /admin/people/{user_id}/remove      "remove Ann?"
POST /admin/people/{user_id}/remove      DELETE /users/{user_id}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from countersign_web.cookies import WebSession
from countersign_web.pages.administration import as_admin, problem_errors
from countersign_web.pages.rendering import Parts, SignedIn, WebParts, check_form, page, see_other

__all__ = ["ROLES", "router"]

router = APIRouter()
Field = Annotated[str, Form(max_length=320)]
Roles = Annotated[list[str] | None, Form()]

# The roles approval knows (its Role), with what each lets a person do.
ROLES = {
    "admin": "manages people and the workflow, and may approve",
    "reviewer": "checks and recodes bills before approval",
    "approver": "approves or rejects bills",
    "requester": "publishes bills from Dext",
    "auditor": "reads every request",
}
NOTICES = {
    "invited": "Invited. They can sign in with their e-mail address.",
    "roles": "Roles changed.",
    "removed": "Removed. Their past decisions stay in every audit trail.",
}


def at_fields(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Approval's errors by the field they name (``roles[1]`` is ``roles``); "" for none."""
    found: dict[str, list[str]] = {}
    for error in errors:
        named = re.match(r"[a-z_]*", str(error.get("field", "")))
        found.setdefault(named.group(0) if named else "", []).append(str(error.get("message")))
    return found


async def _users(web: Parts, session: WebSession) -> list[dict[str, Any]]:
    answer = await as_admin(web, session, "GET", "/users")
    answer.raise_for_status()
    users: list[dict[str, Any]] = answer.json()
    return users


async def _people_page(
    web: Parts, session: WebSession, status: int = 200, **context: Any
) -> HTMLResponse:
    users = await _users(web, session)
    context.setdefault("invite", {"name": "", "email": "", "roles": ["approver"]})
    return page(
        "admin_people.html", status, session=session, cookies=web.cookies, users=users,
        roles=ROLES, **context,
    )  # fmt: skip


@router.get("/admin/people", response_class=HTMLResponse)
async def people(web: WebParts, session: SignedIn, notice: str = "") -> HTMLResponse:
    return await _people_page(web, session, notice=NOTICES.get(notice, ""))


@router.post("/admin/people", response_class=HTMLResponse)
async def invite(
    request: Request, web: WebParts, session: SignedIn, name: Field = "", email: Field = "",
    roles: Roles = None, csrf: Field = "",
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    roles = roles or []
    body = {"name": name.strip(), "email": email.strip(), "roles": roles}
    answer = await as_admin(web, session, "POST", "/users", body)
    if answer.status_code == 201:  # the token in the answer is never shown nor kept
        return _kept(see_other("/admin/people?notice=invited"), web, session)
    errors = at_fields(problem_errors(answer))
    if answer.status_code == 409:  # already a user: about the address
        errors = {"email": errors.pop("", []) + errors.pop("email", []), **errors}
    invited = {"name": name, "email": email, "roles": roles}
    return await _people_page(web, session, answer.status_code, invite=invited, errors=errors)


@router.post("/admin/people/{user_id}/roles", response_class=HTMLResponse)
async def change_roles(
    request: Request, user_id: UUID, web: WebParts, session: SignedIn,
    roles: Roles = None, csrf: Field = "",
) -> Response:  # fmt: skip
    check_form(request, web, csrf, session.csrf)
    answer = await as_admin(web, session, "PATCH", f"/users/{user_id}", {"roles": roles or []})
    if answer.status_code == 200:
        return _kept(see_other(f"/admin/people?notice=roles#user-{user_id}"), web, session)
    messages = [m for ms in at_fields(problem_errors(answer)).values() for m in ms]
    return await _people_page(
        web, session, answer.status_code, user_errors={str(user_id): messages}
    )


async def _one(web: Parts, session: WebSession, user_id: UUID) -> dict[str, Any] | None:
    return next((u for u in await _users(web, session) if u["user_id"] == str(user_id)), None)


@router.get("/admin/people/{user_id}/remove", response_class=HTMLResponse)
async def confirm_removal(user_id: UUID, web: WebParts, session: SignedIn) -> HTMLResponse:
    user = await _one(web, session, user_id)
    if user is None:
        return page("missing.html", 404, session=session, cookies=web.cookies)
    return page("admin_remove.html", session=session, cookies=web.cookies, user=user)


@router.post("/admin/people/{user_id}/remove", response_class=HTMLResponse)
async def remove(
    request: Request, user_id: UUID, web: WebParts, session: SignedIn, csrf: Field = ""
) -> Response:
    check_form(request, web, csrf, session.csrf)
    answer = await as_admin(web, session, "DELETE", f"/users/{user_id}")
    if answer.status_code == 204:
        return _kept(see_other("/admin/people?notice=removed"), web, session)
    user = await _one(web, session, user_id)
    if user is None:
        return page("missing.html", 404, session=session, cookies=web.cookies)
    reasons = [str(e["message"]) for e in problem_errors(answer)]
    return page(
        "admin_remove.html", answer.status_code, session=session, cookies=web.cookies,
        user=user, error="Not removed: " + "; ".join(reasons),
    )  # fmt: skip


def _kept(response: Response, web: Parts, session: WebSession) -> Response:
    web.cookies.keep_session(response, session)
    return response
