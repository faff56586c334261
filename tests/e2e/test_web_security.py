"""The web app's security matrix, over HTTP against the running pipeline: every route of the app
is in the table below (a route added without a row fails the first test), and for each the
rules hold —

    a page that needs a person, without a session ─▶ 303 to /sign-in, nothing shown
    a form without the page's CSRF token, or posted from another site ─▶ 403, nothing done
    every answer ─▶ not framed by another site, its address never sent on as a referrer;
      a page loads scripts, styles and frames from the app only
    a person of another organisation ─▶ "not found" on every page of the request, its bill
      nowhere in what they are shown, their decisions on it refused
    an e-mail button opened by someone else signed in ─▶ refused, naming whose it is; unspent
    the session cookie ─▶ HttpOnly, SameSite=Lax; after sign-out the old cookie opens nothing
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from countersign_harness.organisation import Organisation, Person
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_web.app import create_app
from countersign_web.settings import WebSettings
from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route

from tests.e2e.journeys import invoice
from tests.e2e.mailbox import Message, wait_for_mail
from tests.e2e.test_journey_approval_paths import publish
from tests.e2e.web_visitor import Visitor, signed_in

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its organisations are its own (conftest.py)


@dataclass(frozen=True)
class Row:
    """A route of the web app: whether it needs a signed-in person, and for a form (POST) the
    fields it takes besides its CSRF token."""

    person: bool
    form: dict[str, str] | None = None
    shows_request: bool = False


MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/"): Row(person=True),
    ("GET", "/inbox"): Row(person=True),
    ("GET", "/requests/{request_id}"): Row(person=True, shows_request=True),
    ("GET", "/requests/{request_id}/original"): Row(person=True, shows_request=True),
    ("POST", "/requests/{request_id}/approve"): Row(person=True, form={"comment": "forged"}),
    ("POST", "/requests/{request_id}/reject"): Row(person=True, form={"reason": "forged"}),
    ("POST", "/requests/{request_id}/lines/{line_index}"): Row(
        person=True, form={"account_code": "453"}
    ),
    ("POST", "/requests/{request_id}/review"): Row(person=True, form={}),
    ("GET", "/history"): Row(person=True),
    ("GET", "/mine"): Row(person=True),
    ("GET", "/away"): Row(person=True),
    ("POST", "/away"): Row(person=True, form={"substitute_email": "someone@example.com"}),
    ("POST", "/away/back"): Row(person=True, form={}),
    ("GET", "/admin/connections"): Row(person=True),
    ("POST", "/admin/connections/xero/connect"): Row(person=True, form={}),
    ("POST", "/admin/connections/xero/disconnect"): Row(person=True, form={"confirm": "yes"}),
    ("POST", "/admin/connections/qbo/connect"): Row(person=True, form={}),
    ("POST", "/admin/connections/qbo/disconnect"): Row(person=True, form={"confirm": "yes"}),
    ("POST", "/admin/connections/dext/issue"): Row(person=True, form={}),
    ("POST", "/admin/connections/dext/end-previous"): Row(person=True, form={}),
    ("POST", "/admin/connections/dext/revoke"): Row(person=True, form={"confirm": "yes"}),
    ("GET", "/admin/failed-publications"): Row(person=True),
    ("GET", "/admin/requests/{request_id}"): Row(person=True, shows_request=True),
    ("POST", "/admin/requests/{request_id}/{action}"): Row(person=True, form={"comment": "x"}),
    ("POST", "/admin/requests/{request_id}/lines/{line_index}"): Row(
        person=True, form={"account_code": "453"}
    ),
    ("GET", "/admin/people"): Row(person=True),
    ("POST", "/admin/people"): Row(
        person=True, form={"name": "Eve", "email": "eve@example.com", "roles": "admin"}
    ),
    ("POST", "/admin/people/{user_id}/roles"): Row(person=True, form={"roles": "admin"}),
    ("GET", "/admin/people/{user_id}/remove"): Row(person=True),
    ("POST", "/admin/people/{user_id}/remove"): Row(person=True, form={}),
    ("GET", "/admin/settings"): Row(person=True),
    ("POST", "/admin/settings"): Row(person=True, form={"duplicate_policy": "block"}),
    ("GET", "/admin/workflow"): Row(person=True),
    ("POST", "/admin/workflow"): Row(
        person=True, form={"action": "save", "step-0-name": "Forged", "default_approver": "x"}
    ),
    ("GET", "/act/{grant}"): Row(person=False),
    ("POST", "/act/{grant}"): Row(person=False, form={"decision": "approve"}),
    ("GET", "/sign-in"): Row(person=False),
    ("POST", "/sign-in"): Row(person=False, form={"email": "someone@example.com"}),
    ("GET", "/sign-in/link"): Row(person=False),
    ("POST", "/sign-in/link"): Row(person=False, form={"code": "not-a-code"}),
    ("GET", "/sign-in/oidc"): Row(person=False),
    ("GET", "/sign-in/oidc/callback"): Row(person=False),
    ("POST", "/sign-in/oidc/choose"): Row(person=False, form={"organisation_id": "x"}),
    ("POST", "/sign-out"): Row(person=False, form={}),
    ("GET", "/health/live"): Row(person=False),
    ("GET", "/health/ready"): Row(person=False),
}
REFUSED = "That form was refused"
ELSEWHERE = "https://elsewhere.example"


def _methods_and_paths(routes: list[BaseRoute]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, APIRoute):
            found |= {(method, route.path) for method in route.methods}
        elif isinstance(included := getattr(route, "original_router", None), APIRouter):
            found |= _methods_and_paths(included.routes)  # FastAPI keeps included routers whole
        else:
            assert isinstance(route, Mount | Route), route
            assert getattr(route, "path", "") in ("/static", "/openapi.json"), route
    return found


def _routes() -> set[tuple[str, str]]:
    settings = WebSettings(client_secret="s", cookie_keys="k:" + "A" * 43 + "=")
    return _methods_and_paths(create_app(settings).routes)


@dataclass(frozen=True)
class Scene:
    org: Organisation
    name: str
    approver: str
    request: dict[str, Any]
    marker: str  # the bill's reference: shown to nobody outside the organisation

    async def signed_in(self, email: str | None = None) -> Visitor:
        return await signed_in(self.org, email or self.approver)


async def _scene(pipeline: Pipeline, label: str, *others: Person) -> Scene:
    tag = uuid.uuid4().hex[:8]
    approver = f"ann.{tag}@example.com"
    workflow = {
        "name": "Bills",
        "steps": [{"name": "Budget holder", "approvers": [{"approver": approver}]}],
        "default_approver": "ada@example.com",
    }
    people = (Person(approver, "Ann Approver", ("approver",)), *others)
    name = f"{label} {tag} Ltd"
    org = await provision_organisation(pipeline.endpoints, workflow, people, name=name)
    item = f"sec-{tag}"
    assert (await publish(org, invoice(item))).status_code == 202
    request = await org.request_of(item, states=("in_approval",))
    return Scene(org, name, approver, request, f"INV-{item}")


def _path(template: str, scene: Scene) -> str:
    return template.format(
        request_id=scene.request["request_id"], grant="csg_unknown", action="force-approve",
        line_index=0, user_id=uuid.UUID(int=1),
    )  # fmt: skip


def _assert_guarded(answer: httpx.Response, path: str) -> None:
    """No other site frames it, its address leaves with no link, a page runs only our own."""
    headers = answer.headers
    assert headers["referrer-policy"] == "same-origin", path
    assert headers["x-content-type-options"] == "nosniff", path
    assert headers["x-frame-options"] == "SAMEORIGIN", path
    if headers.get("content-type", "").startswith("text/html"):
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'self'" in policy and "script-src 'self'" in policy, path


async def _nothing_decided(scene: Scene) -> None:
    found = await scene.org.request(scene.request["request_id"])
    assert found["state"] == "in_approval"
    assert {"approved", "rejected"}.isdisjoint(e["action"] for e in found["audit_trail"])


def test_every_route_of_the_web_app_has_a_row() -> None:
    assert _routes() == set(MATRIX)


async def test_pages_for_a_person_send_strangers_to_sign_in(pipeline: Pipeline) -> None:
    scene = await _scene(pipeline, "Strangers")
    async with httpx.AsyncClient(base_url=scene.org.endpoints.web, timeout=15) as stranger:
        answers = {
            (method, path): await stranger.request(
                method, _path(path, scene), data=row.form if method == "POST" else None
            )
            for (method, path), row in MATRIX.items()
        }
    for (method, path), answer in answers.items():
        _assert_guarded(answer, path)
        if MATRIX[method, path].person:
            assert (answer.status_code, answer.headers.get("location")) == (303, "/sign-in"), path
            assert scene.marker not in answer.text
        else:
            assert answer.status_code < 500, (method, path, answer.text)
    await _nothing_decided(scene)


async def test_forms_without_the_pages_token_or_from_elsewhere_do_nothing(
    pipeline: Pipeline,
) -> None:
    scene = await _scene(pipeline, "Forged Forms")
    ann = await scene.signed_in()
    pending = await ann.pending_csrf()
    refusals: dict[str, list[int]] = {}
    for (method, path), row in MATRIX.items():
        if method != "POST":
            continue
        token = ann.session_csrf if row.person or path == "/sign-out" else pending
        form = dict(row.form or {})
        missing = await ann.http.post(_path(path, scene), data=form)
        forged = await ann.http.post(_path(path, scene), data=form | {"csrf": "not-the-pages"})
        elsewhere = await ann.http.post(
            _path(path, scene), data=form | {"csrf": token}, headers={"Origin": ELSEWHERE}
        )
        refusals[path] = [a.status_code for a in (missing, forged, elsewhere)]
        assert all(REFUSED in a.text for a in (missing, forged, elsewhere)), path
    still = await ann.http.get(f"/requests/{scene.request['request_id']}")
    await ann.http.aclose()

    assert refusals == {path: [403, 403, 403] for (m, path) in MATRIX if m == "POST"}
    assert still.status_code == 200 and scene.marker in still.text  # not signed out either
    await _nothing_decided(scene)


async def test_no_page_shows_another_organisations_request(pipeline: Pipeline) -> None:
    ours = await _scene(pipeline, "Ours")
    theirs = await _scene(pipeline, "Theirs")
    them = await theirs.signed_in()
    shown = {
        path: await them.http.get(_path(path, ours))
        for (method, path), row in MATRIX.items()
        if method == "GET" and row.person
    }
    decided = {
        path: await them.post(_path(path, ours), **(row.form or {}))
        for (method, path), row in MATRIX.items()
        if method == "POST" and "{request_id}" in path
    }
    own = await them.http.get(f"/requests/{theirs.request['request_id']}")
    await them.http.aclose()

    for path, answer in shown.items():
        assert ours.marker not in answer.text, path
        if MATRIX["GET", path].shows_request:
            assert answer.status_code == 404, (path, answer.status_code)
    assert {path: a.status_code for path, a in decided.items()} == dict.fromkeys(decided, 404)
    assert own.status_code == 200 and theirs.marker in own.text  # their own they see
    await _nothing_decided(ours)


async def _approve_button(scene: Scene) -> str:
    def approve(message: Message) -> list[str]:
        return [link["url"] for link in message["links"]
                if "/act/" in link["url"] and link["url"].endswith("decision=approve")]  # fmt: skip

    messages = await wait_for_mail(scene.org, scene.approver, lambda m: bool(approve(m)))
    [button] = [url for message in messages for url in approve(message)]
    return button


async def test_an_e_mail_button_opened_by_someone_else_signed_in_decides_nothing(
    pipeline: Pipeline,
) -> None:
    bob = f"bob.{uuid.uuid4().hex[:8]}@example.com"
    scene = await _scene(pipeline, "Forwarded", Person(bob, "Bob Colleague", ("approver",)))
    button = await _approve_button(scene)
    as_bob = await scene.signed_in(bob)
    opened = await as_bob.http.get(button)
    posted = await as_bob.http.post(
        button, data={"decision": "approve", "csrf": await as_bob.pending_csrf()}
    )
    await as_bob.http.aclose()
    await _nothing_decided(scene)
    async with httpx.AsyncClient(timeout=15) as anns_phone:
        still_good = await anns_phone.get(button)

    assert opened.status_code == posted.status_code == 403
    for refusal in (opened, posted):
        assert "This button was sent to Ann Approver" in refusal.text
        assert "you are signed in as Bob Colleague" in refusal.text
        assert "Nothing was decided" in refusal.text
    assert still_good.status_code == 200 and "Deciding as" in still_good.text  # unspent


async def test_the_session_cookie_is_flagged_and_ends_with_sign_out(pipeline: Pipeline) -> None:
    scene = await _scene(pipeline, "Cookies")
    ann = await scene.signed_in()
    # Signing in clears any earlier cookie first: the last one written is the session's.
    session_cookie = [c for c in ann.set_cookies if c.startswith("cs_session=")][-1]
    kept = dict(ann.http.cookies)
    signed_out = await ann.http.post("/sign-out", data={"csrf": ann.session_csrf})
    await ann.http.aclose()
    async with httpx.AsyncClient(base_url=scene.org.endpoints.web, cookies=kept) as replay:
        replayed = await replay.get(f"/requests/{scene.request['request_id']}")

    flags = {part.strip().lower() for part in session_cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert "secure" not in flags  # WEB_SECURE_COOKIES=false on this loopback stack only
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/sign-in")
    assert (replayed.status_code, replayed.headers.get("location")) == (303, "/sign-in")
    assert scene.marker not in replayed.text
