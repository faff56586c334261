"""What the admin pages share: approval's API called as the signed-in person. Its refusal
(403) is the page's ("admins only"; a 401 is a session ended): approval decides who is an
admin, never the roles in the cookie, which only choose whether the nav shows Admin links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from countersign_web.cookies import WebSession
from countersign_web.pages.rendering import Parts

__all__ = ["NotAdmin", "as_admin", "problem_detail", "problem_errors"]


class NotAdmin(Exception):
    """Approval refused the admin call: shown as the 403 page."""

    def __init__(self, session: WebSession) -> None:
        super().__init__("not an admin")
        self.session = session


async def as_admin(
    web: Parts, session: WebSession, method: str, suffix: str, body: Any = None,
    service: str = "approval",
) -> httpx.Response:  # fmt: skip
    """``suffix`` of the person's organisation at approval (``/users``), or at the publisher
    (``/publication-settings``), as that person."""
    path = session.org_path(suffix)
    api = web.publisher if service == "publisher" else web.approval
    response = await api.call(session.token, method, path, body)
    if response.status_code == 403:
        raise NotAdmin(session)
    return response


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        problem = response.json()
    except ValueError:
        return {}
    return problem if isinstance(problem, dict) else {}


def problem_detail(response: httpx.Response) -> str:
    """What a service's refusal says, in a sentence."""
    problem = _problem(response)
    return str(problem.get("detail") or problem.get("title") or f"refused ({response.status_code})")


def problem_errors(response: httpx.Response) -> list[Mapping[str, Any]]:
    """A problem document's ``errors`` (field, rule, message); one without a field for its
    detail when it names none."""
    errors: Iterable[Mapping[str, Any]] = _problem(response).get("errors") or []
    listed = [e for e in errors if isinstance(e, Mapping)]
    if listed:
        return listed
    return [{"field": "", "rule": "refused", "message": problem_detail(response)}]
