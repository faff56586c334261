"""One request's page, as the signed-in person may act on it: their own decision when the step
waits for them; a decision on someone's behalf when they stand in for an absent approver the
step waits for (a choice when for several); the review — each line's coding from what the
organisation's Xero takes, then submit — when the request is in review by them."""

from __future__ import annotations

from typing import Any

from countersign_contracts import XeroDifference
from fastapi.responses import HTMLResponse

from countersign_web.cookies import WebSession
from countersign_web.pages.away import out_of_office
from countersign_web.pages.rendering import Parts, page

__all__ = ["read", "request_page"]


async def read(
    web: Parts, session: WebSession, suffix: str, query: dict[str, str] | None = None
) -> Any:
    """Approval's answer to a GET, or None when it is not this person's to see."""
    path = session.org_path(suffix)
    response = await web.approval.call(session.token, "GET", path, None, query)
    if response.status_code in (403, 404):
        return None
    response.raise_for_status()
    return response.json()


def _waiting(step: dict[str, Any]) -> list[dict[str, Any]]:
    named = {a["user_id"]: a for a in (*step["approvers"], *step.get("escalated_to", []))}
    return [a for a in named.values() if not a["approved"]]


async def _stand_ins(web: Parts, session: WebSession, found: dict[str, Any]) -> list[Any]:
    """The approvers the current step waits for whom this person stands in for now."""
    step = found.get("current_step")
    waiting = _waiting(step) if step else []
    if not waiting or any(a["user_id"] == session.user_id for a in waiting):
        return []
    away = {p["user_id"] for p in (await out_of_office(web, session))["standing_in_for"]}
    return [a for a in waiting if a["user_id"] in away]


async def _review(web: Parts, session: WebSession, found: dict[str, Any]) -> Any:
    """The coding options when the request is in review by this person, else None."""
    mine = any(r["user_id"] == session.user_id for r in found.get("reviewers", []))
    if found.get("state") != "in_review" or not mine:
        return None
    return await read(web, session, "/coding-options")


def _categories(found: dict[str, Any], options: dict[str, Any] | None) -> list[str]:
    """The tracking categories a line may take: Xero's, or, before it was read, the ones the
    lines carry."""
    if options and options["ledger_read"]:
        return [c["name"] for c in options["tracking_categories"]]
    names = {t["category"] for line in found["lines"] for t in line.get("tracking") or []}
    return sorted(names)


def _changed_in_xero(found: dict[str, Any]) -> dict[str, Any] | None:
    """The newest report of the bill changed in Xero after approval (it lists every field that
    differs then), as rows of approved and now; None when there is none."""
    reports = [e for e in found.get("audit_trail") or [] if e["action"] == "changed_in_xero"]
    if not reports:
        return None
    latest = reports[-1]
    rows = [
        (XeroDifference.label_of(c["field"]), c["before"], c["after"]) for c in latest["changes"]
    ]
    return {"at": latest["at"], "rows": rows, "reports": len(reports)}


async def request_page(
    web: Parts, session: WebSession, request_id: str, status: int = 200, **shown: Any
) -> HTMLResponse:
    """The request's page (``shown``: an ``error``, a ``notice``, a line's ``line_errors``)."""
    found = await read(web, session, f"/requests/{request_id}")
    if found is None:
        return page("missing.html", 404, session=session, cookies=web.cookies)
    step = found.get("current_step")
    awaiting_me = bool(step) and any(a["user_id"] == session.user_id for a in _waiting(step))
    options = await _review(web, session, found)
    return page(
        "request.html", status, session=session, cookies=web.cookies, request=found,
        awaiting_me=awaiting_me, stand_ins=await _stand_ins(web, session, found),
        reviewing=options is not None, options=options,
        categories=_categories(found, options), changed_in_xero=_changed_in_xero(found),
        **shown,
    )  # fmt: skip
