"""Connecting Xero as a real app does, over real HTTP, driven like a browser: the authorize
request, the login form, the consent form, the redirect back with code and state, the code
exchange with its PKCE verifier; then revocation, disconnecting and the controls behind them."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from countersign_xero_sandbox.harness import control, provision, serve
from countersign_xero_sandbox.settings import SandboxSettings

pytestmark = pytest.mark.integration

CLIENT_ID, SECRET = "countersign-app", "app-secret"
CALLBACK = "https://countersign.example/xero/callback"
SCOPE = "openid profile email offline_access accounting.transactions accounting.settings"
BASIC = {"Authorization": "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()}
EMAIL, PASSWORD = "owner@acme.example", "correct horse"


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    # Real time: codes (5 minutes) and pending logins (10) only expire when a test says so.
    with serve(SandboxSettings(limits_enabled=False)) as url:
        yield url


@pytest.fixture(autouse=True)
def fresh(sandbox_url: str) -> None:
    control(sandbox_url, "POST", "/_sandbox/reset")


@dataclass
class Form:
    action: str
    fields: list[dict[str, str | None]] = field(default_factory=list)

    def value(self, name: str) -> str:
        return next(str(f["value"]) for f in self.fields if f.get("name") == name)

    def boxes(self) -> list[dict[str, str | None]]:
        return [f for f in self.fields if f.get("type") == "checkbox"]


class _Page(HTMLParser):
    """The forms of a page by id, and the text inside every element that has an id."""

    _VOID = frozenset({"input", "meta", "br", "img", "link"})

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: dict[str, Form] = {}
        self.texts: dict[str, str] = {}
        self._form: Form | None = None
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self._form = self.forms.setdefault(str(found["id"]), Form(str(found["action"])))
        elif tag in ("input", "button") and self._form is not None:
            self._form.fields.append({"tag": tag, **found})
        if tag not in self._VOID:
            self._open.append((tag, found.get("id")))
            if found.get("id"):
                self.texts[str(found["id"])] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, element in self._open:
            if element:
                self.texts[element] += data


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _authorize_url(root: str, challenge: str | None, **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK,
        "scope": SCOPE,
        "state": "state-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256" if challenge else None,
        **overrides,
    }
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{root}/identity/connect/authorize?{query}"


def _redirected(answer: httpx.Response) -> dict[str, list[str]]:
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return parse_qs(urlsplit(location).query)


@dataclass
class Setup:
    root: str
    tenants: dict[str, str]  # name → tenant id


@pytest.fixture(name="setup")
def setup_fixture(sandbox_url: str) -> Setup:
    registered = {"client_id": CLIENT_ID, "client_secret": SECRET, "redirect_uris": [CALLBACK]}
    control(sandbox_url, "POST", "/_sandbox/clients", {**registered, "name": "Countersign"})
    tenants = {
        name: control(sandbox_url, "POST", "/_sandbox/tenants", {"name": name})["tenant_id"]
        for name in ("Acme Trading Ltd", "Acme Holdings Ltd")
    }
    body = {"email": EMAIL, "password": PASSWORD, "tenant_ids": list(tenants.values())}
    control(sandbox_url, "POST", "/_sandbox/users", body)
    return Setup(sandbox_url, tenants)


def _log_in(browser: httpx.Client, url: str, password: str = PASSWORD) -> httpx.Response:
    page = browser.get(url)
    assert page.status_code == 200, page.text
    form = _Page(page.text).forms["login-form"]
    data = {"pending": form.value("pending"), "email": EMAIL, "password": password}
    return browser.post(form.action, data=data)


def _consent(
    browser: httpx.Client, page: httpx.Response, tenant_ids: list[str], action: str = "allow"
) -> httpx.Response:
    form = _Page(page.text).forms["consent-form"]
    data = [("pending", form.value("pending")), ("action", action)]
    data += [("tenant_id", tenant_id) for tenant_id in tenant_ids]
    return browser.post(form.action, content=urlencode(data), headers=_FORM)


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _exchange(root: str, code: str, verifier: str | None) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    if verifier is not None:
        form["code_verifier"] = verifier
    return httpx.post(f"{root}/connect/token", data=form, headers=BASIC)


def _refresh(root: str, refresh_token: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return httpx.post(f"{root}/connect/token", data=form, headers=BASIC)


def _connections(root: str, access_token: str) -> list[Any]:
    answer = httpx.get(f"{root}/connections", headers={"Authorization": f"Bearer {access_token}"})
    assert answer.status_code == 200
    listed: list[Any] = answer.json()
    return listed


def _organisation(root: str, access_token: str, tenant_id: str) -> int:
    headers = {
        "Authorization": f"Bearer {access_token}",
        "xero-tenant-id": tenant_id,
        "Accept": "application/json",
    }
    return httpx.get(f"{root}/api.xro/2.0/Organisation", headers=headers).status_code


def _connect(setup: Setup, chosen: list[str]) -> dict[str, Any]:
    """The whole flow for the user; the token answer."""
    verifier, challenge = _pkce()
    with httpx.Client(base_url=setup.root) as browser:
        consent_page = _log_in(browser, _authorize_url(setup.root, challenge))
        code = _redirected(_consent(browser, consent_page, chosen))["code"][0]
    tokens = _exchange(setup.root, code, verifier)
    assert tokens.status_code == 200, tokens.text
    answer: dict[str, Any] = tokens.json()
    return answer


def test_xero_sandbox_a_user_connects_chosen_organisations_through_login_and_consent(
    setup: Setup,
) -> None:
    trading, holdings = setup.tenants["Acme Trading Ltd"], setup.tenants["Acme Holdings Ltd"]
    verifier, challenge = _pkce()
    with httpx.Client(base_url=setup.root) as browser:
        consent_page = _log_in(browser, _authorize_url(setup.root, challenge))
        assert consent_page.status_code == 200
        cookie = consent_page.headers["set-cookie"]
        assert cookie.startswith("xero_sandbox_session=")
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        page = _Page(consent_page.text)
        assert page.texts["client-id"] == CLIENT_ID and "Countersign" in page.texts["app-name"]
        assert page.texts["user-email"] == EMAIL
        assert page.texts["scopes"].split() == SCOPE.split()
        boxes = page.forms["consent-form"].boxes()
        assert {b["value"] for b in boxes} == {trading, holdings}
        assert "Acme Trading Ltd" in page.texts["organisations"]
        assert "Acme Holdings Ltd" in page.texts["organisations"]
        redirect = _redirected(_consent(browser, consent_page, [trading]))
    assert redirect["state"] == ["state-42"] and redirect["scope"] == [SCOPE]
    tokens = _exchange(setup.root, redirect["code"][0], verifier)
    assert tokens.status_code == 200
    access = tokens.json()["access_token"]
    listed = _connections(setup.root, access)
    assert [(c["tenantId"], c["tenantName"]) for c in listed] == [(trading, "Acme Trading Ltd")]
    assert _organisation(setup.root, access, trading) == 200
    assert _organisation(setup.root, access, holdings) == 403


def test_xero_sandbox_the_same_browser_goes_straight_to_consent(setup: Setup) -> None:
    trading = setup.tenants["Acme Trading Ltd"]
    verifier, challenge = _pkce()
    with httpx.Client(base_url=setup.root) as browser:
        first = _log_in(browser, _authorize_url(setup.root, challenge))
        code = _redirected(_consent(browser, first, [trading]))["code"][0]
        assert _exchange(setup.root, code, verifier).status_code == 200
        again = browser.get(_authorize_url(setup.root, _pkce()[1]))
        page = _Page(again.text)
        assert again.status_code == 200 and "consent-form" in page.forms
        # Connected before: shown ticked and fixed, and enough to allow with nothing new ticked.
        [connected] = [b for b in page.forms["consent-form"].boxes() if b["value"] == trading]
        assert "disabled" in connected and "checked" in connected
        assert "code" in _redirected(_consent(browser, again, []))


@pytest.mark.parametrize(
    "overrides",
    [{"redirect_uri": "https://attacker.example/callback"}, {"client_id": "unknown-app"}],
)
def test_xero_sandbox_an_unregistered_redirect_uri_or_client_gets_a_page_not_a_redirect(
    setup: Setup, overrides: dict[str, str]
) -> None:
    answer = httpx.get(_authorize_url(setup.root, _pkce()[1], **overrides))
    assert answer.status_code == 400 and "location" not in answer.headers
    assert answer.headers["content-type"].startswith("text/html")
    assert _Page(answer.text).texts["error-code"].startswith("unauthorized_client : ")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": None}, "invalid_scope"),
    ],
)
def test_xero_sandbox_a_bad_authorize_request_goes_back_with_the_error_and_state(
    setup: Setup, overrides: dict[str, str | None], error: str
) -> None:
    answer = httpx.get(_authorize_url(setup.root, _pkce()[1], **overrides))
    assert _redirected(answer) == {"error": [error], "state": ["state-42"]}


def test_xero_sandbox_a_wrong_password_shows_the_login_page_again(setup: Setup) -> None:
    with httpx.Client(base_url=setup.root) as browser:
        answer = _log_in(browser, _authorize_url(setup.root, _pkce()[1]), "wrong")
        assert answer.status_code == 200 and "set-cookie" not in answer.headers
        page = _Page(answer.text)
        assert "login-form" in page.forms and "incorrect" in page.texts["login-error"]
        form = page.forms["login-form"]
        retried = browser.post(
            form.action,
            data={"pending": form.value("pending"), "email": EMAIL, "password": PASSWORD},
        )
    assert "consent-form" in _Page(retried.text).forms


def test_xero_sandbox_cancel_sends_access_denied(setup: Setup) -> None:
    with httpx.Client(base_url=setup.root) as browser:
        consent_page = _log_in(browser, _authorize_url(setup.root, _pkce()[1]))
        answer = _consent(browser, consent_page, [], action="cancel")
    assert _redirected(answer) == {"error": ["access_denied"], "state": ["state-42"]}


def test_xero_sandbox_allowing_no_organisation_shows_consent_again(setup: Setup) -> None:
    with httpx.Client(base_url=setup.root) as browser:
        consent_page = _log_in(browser, _authorize_url(setup.root, _pkce()[1]))
        answer = _consent(browser, consent_page, [])
    page = _Page(answer.text)
    assert answer.status_code == 200 and "consent-form" in page.forms
    assert "at least one organisation" in page.texts["consent-error"]


def _code(setup: Setup, challenge: str | None) -> str:
    with httpx.Client(base_url=setup.root) as browser:
        consent_page = _log_in(browser, _authorize_url(setup.root, challenge))
        return _redirected(_consent(browser, consent_page, list(setup.tenants.values())))["code"][0]


def test_xero_sandbox_a_wrong_verifier_spends_the_code(setup: Setup) -> None:
    verifier, challenge = _pkce()
    code = _code(setup, challenge)
    wrong = _exchange(setup.root, code, _pkce()[0])
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_grant"})
    assert _exchange(setup.root, code, verifier).json() == {"error": "invalid_grant"}


def test_xero_sandbox_a_missing_verifier_is_refused_and_spends_the_code(setup: Setup) -> None:
    verifier, challenge = _pkce()
    code = _code(setup, challenge)
    answer = _exchange(setup.root, code, None)
    assert (answer.status_code, answer.json()) == (400, {"error": "invalid_grant"})
    assert _exchange(setup.root, code, verifier).json() == {"error": "invalid_grant"}


def test_xero_sandbox_a_replayed_code_is_refused(setup: Setup) -> None:
    verifier, challenge = _pkce()
    code = _code(setup, challenge)
    assert _exchange(setup.root, code, verifier).status_code == 200
    replay = _exchange(setup.root, code, verifier)
    assert (replay.status_code, replay.json()) == (400, {"error": "invalid_grant"})


def test_xero_sandbox_a_code_lives_five_minutes(setup: Setup) -> None:
    verifier, challenge = _pkce()
    code = _code(setup, challenge)
    control(setup.root, "POST", "/_sandbox/clock", {"advance_seconds": 301})
    assert _exchange(setup.root, code, verifier).json() == {"error": "invalid_grant"}


def test_xero_sandbox_a_pending_login_expires_after_ten_minutes(setup: Setup) -> None:
    with httpx.Client(base_url=setup.root) as browser:
        page = browser.get(_authorize_url(setup.root, _pkce()[1]))
        form = _Page(page.text).forms["login-form"]
        control(setup.root, "POST", "/_sandbox/clock", {"advance_seconds": 601})
        answer = browser.post(
            form.action,
            data={"pending": form.value("pending"), "email": EMAIL, "password": PASSWORD},
        )
    assert answer.status_code == 400 and "location" not in answer.headers


def test_xero_sandbox_revoking_the_refresh_token_removes_the_connections(setup: Setup) -> None:
    tokens = _connect(setup, list(setup.tenants.values()))
    assert len(_connections(setup.root, tokens["access_token"])) == 2
    revoked = httpx.post(
        f"{setup.root}/connect/revocation", data={"token": tokens["refresh_token"]}, headers=BASIC
    )
    assert revoked.status_code == 200
    assert _connections(setup.root, tokens["access_token"]) == []
    for tenant_id in setup.tenants.values():
        assert _organisation(setup.root, tokens["access_token"], tenant_id) == 403
    assert _refresh(setup.root, tokens["refresh_token"]).json() == {"error": "invalid_grant"}


def test_xero_sandbox_deleting_connections_keeps_refresh_until_the_last_one(setup: Setup) -> None:
    tokens = _connect(setup, list(setup.tenants.values()))
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    first, second = _connections(setup.root, tokens["access_token"])
    assert (
        httpx.delete(f"{setup.root}/connections/{first['id']}", headers=bearer).status_code == 204
    )
    assert _organisation(setup.root, tokens["access_token"], first["tenantId"]) == 403
    assert _organisation(setup.root, tokens["access_token"], second["tenantId"]) == 200
    rotated = _refresh(setup.root, tokens["refresh_token"])
    assert rotated.status_code == 200
    assert (
        httpx.delete(f"{setup.root}/connections/{second['id']}", headers=bearer).status_code == 204
    )
    gone = _refresh(setup.root, rotated.json()["refresh_token"])
    assert (gone.status_code, gone.json()) == (400, {"error": "invalid_grant"})


def test_xero_sandbox_the_user_disconnecting_the_app_makes_refresh_fail(setup: Setup) -> None:
    trading = setup.tenants["Acme Trading Ltd"]
    tokens = _connect(setup, [trading])
    answer = httpx.post(
        f"{setup.root}/_sandbox/tenants/{trading}/disconnect", json={"client_id": CLIENT_ID}
    )
    assert answer.status_code == 200 and len(answer.json()["removed"]) == 1
    refused = _refresh(setup.root, tokens["refresh_token"])
    assert (refused.status_code, refused.json()) == (400, {"error": "invalid_grant"})
    assert _organisation(setup.root, tokens["access_token"], trading) == 403
    again = httpx.post(
        f"{setup.root}/_sandbox/tenants/{trading}/disconnect", json={"client_id": CLIENT_ID}
    )
    assert again.status_code == 404


def test_xero_sandbox_disconnecting_one_of_two_keeps_refresh(setup: Setup) -> None:
    trading = setup.tenants["Acme Trading Ltd"]
    tokens = _connect(setup, list(setup.tenants.values()))
    httpx.post(f"{setup.root}/_sandbox/tenants/{trading}/disconnect", json={"client_id": CLIENT_ID})
    assert _refresh(setup.root, tokens["refresh_token"]).status_code == 200


def test_xero_sandbox_a_user_token_and_a_control_token_see_their_own_connections(
    setup: Setup,
) -> None:
    org = provision(setup.root, client_id=CLIENT_ID, client_secret=SECRET)
    tokens = _connect(setup, [setup.tenants["Acme Trading Ltd"]])
    assert [c["tenantId"] for c in _connections(setup.root, tokens["access_token"])] == [
        setup.tenants["Acme Trading Ltd"]
    ]
    control_tokens = org["token"]["access_token"]
    assert [c["tenantId"] for c in _connections(setup.root, control_tokens)] == [org["tenant_id"]]
    assert _organisation(setup.root, tokens["access_token"], org["tenant_id"]) == 403


def test_xero_sandbox_registering_an_app(sandbox_url: str) -> None:
    body = {"client_id": "app", "client_secret": "s", "redirect_uris": [CALLBACK]}
    first = httpx.post(f"{sandbox_url}/_sandbox/clients", json=body)
    assert (first.status_code, first.json()["redirect_uris"]) == (201, [CALLBACK])
    assert httpx.post(f"{sandbox_url}/_sandbox/clients", json=body).status_code == 201
    other = httpx.post(f"{sandbox_url}/_sandbox/clients", json={**body, "client_secret": "t"})
    assert other.status_code == 409
    plain_http = {**body, "redirect_uris": ["http://countersign.example/callback"]}
    assert httpx.post(f"{sandbox_url}/_sandbox/clients", json=plain_http).status_code == 400
    assert httpx.post(f"{sandbox_url}/_sandbox/clients", json={"client_id": "x"}).status_code == 400


def test_xero_sandbox_a_user_reaches_only_known_organisations(sandbox_url: str) -> None:
    tenant = control(sandbox_url, "POST", "/_sandbox/tenants", {})["tenant_id"]
    body = {"email": EMAIL, "password": PASSWORD, "tenant_ids": [tenant]}
    made = httpx.post(f"{sandbox_url}/_sandbox/users", json=body)
    assert made.status_code == 201 and made.json()["tenant_ids"] == [tenant]
    unknown = httpx.post(f"{sandbox_url}/_sandbox/users", json={**body, "tenant_ids": ["nope"]})
    assert unknown.status_code == 400


def test_xero_sandbox_a_control_code_can_carry_a_pkce_challenge(sandbox_url: str) -> None:
    tenant = control(sandbox_url, "POST", "/_sandbox/tenants", {})["tenant_id"]
    verifier, challenge = _pkce()
    body = {"client_id": CLIENT_ID, "client_secret": SECRET, "tenant_ids": [tenant]}
    code = control(
        sandbox_url, "POST", "/_sandbox/authorizations", {**body, "code_challenge": challenge}
    )
    form = {"grant_type": "authorization_code", "code": code["code"], "code_verifier": verifier}
    assert httpx.post(f"{sandbox_url}/connect/token", data=form, headers=BASIC).status_code == 200


def test_xero_sandbox_the_recording_keeps_no_password_code_verifier_or_session(
    tmp_path: Path,
) -> None:
    record = tmp_path / "xero.jsonl"
    with serve(SandboxSettings(record=str(record))) as url:
        registered = {"client_id": CLIENT_ID, "client_secret": SECRET, "redirect_uris": [CALLBACK]}
        control(url, "POST", "/_sandbox/clients", registered)
        tenant = control(url, "POST", "/_sandbox/tenants", {})["tenant_id"]
        user = {"email": EMAIL, "password": PASSWORD, "tenant_ids": [tenant]}
        control(url, "POST", "/_sandbox/users", user)
        verifier, challenge = _pkce()
        with httpx.Client(base_url=url) as browser:
            consent_page = _log_in(browser, _authorize_url(url, challenge))
            session = browser.cookies["xero_sandbox_session"]
            code = _redirected(_consent(browser, consent_page, [tenant]))["code"][0]
        tokens = _exchange(url, code, verifier).json()
        httpx.post(
            f"{url}/connect/revocation", data={"token": tokens["refresh_token"]}, headers=BASIC
        )
    text = record.read_text()
    for secret in (PASSWORD, verifier, code, session, tokens["refresh_token"]):
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines()]
    login = next(line for line in lines if line["path"] == "/identity/login")
    assert login["request_body"]["email"] == EMAIL
    assert login["request_body"]["password"] == "<redacted>"
