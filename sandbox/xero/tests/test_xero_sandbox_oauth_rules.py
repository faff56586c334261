"""The Xero sandbox's authorisation rules, without HTTP: PKCE (S256), the redirect URI an app
registered, checking an authorize request, a consent becoming a code, the code exchange, and
what revoking and disconnecting leave working."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from countersign_xero_sandbox import pkce
from countersign_xero_sandbox.authorize_request import (
    AuthorizeRequest,
    ErrorPage,
    Redirect,
    check_authorize,
    with_query,
)
from countersign_xero_sandbox.clients import Client, Clients, redirect_uri_problem
from countersign_xero_sandbox.clock import SandboxClock
from countersign_xero_sandbox.consent import Consent, allow, deny
from countersign_xero_sandbox.consent_pages import Organisation, consent_page, login_page
from countersign_xero_sandbox.id_tokens import TokenMinter
from countersign_xero_sandbox.identity import Identity, TokenError
from countersign_xero_sandbox.signing import SigningKey

CALLBACK = "https://countersign.example/xero/callback"
# RFC 7636 Appendix B: the verifier and the S256 challenge it gives.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
OTHER_VERIFIER = "x" * 43


def test_xero_sandbox_s256_is_the_rfc_7636_example() -> None:
    assert pkce.s256(VERIFIER) == CHALLENGE
    assert pkce.verifies(CHALLENGE, VERIFIER)


@pytest.mark.parametrize(
    "verifier", [None, "", OTHER_VERIFIER, VERIFIER[:42], VERIFIER + "=", VERIFIER.upper()]
)
def test_xero_sandbox_pkce_refuses_a_missing_malformed_or_wrong_verifier(
    verifier: str | None,
) -> None:
    assert not pkce.verifies(CHALLENGE, verifier)


@pytest.mark.parametrize(
    ("value", "good"),
    [
        ("a" * 42, False),
        ("a" * 43, True),
        ("A-._~9" * 21 + "zz", True),
        ("a" * 129, False),
        ("a" * 42 + "+", False),
        ("a" * 42 + "/", False),
    ],
)
def test_xero_sandbox_pkce_values_are_43_to_128_unreserved_characters(
    value: str, good: bool
) -> None:
    assert pkce.well_formed(value) is good


@pytest.mark.parametrize(
    "asked",
    [
        CALLBACK + "/",
        CALLBACK.upper(),
        CALLBACK + "?x=1",
        "https://countersign.example/xero/callback#f",
        "https://countersign.example/xero/*",
        None,
    ],
)
def test_xero_sandbox_a_redirect_uri_matches_only_as_registered(asked: str | None) -> None:
    client = Client("app", "s", "App", [CALLBACK])
    assert client.redirects_to(CALLBACK)
    assert not client.redirects_to(asked)


@pytest.mark.parametrize(
    ("uri", "refused"),
    [
        (CALLBACK, False),
        ("http://localhost:5000/callback", False),
        ("http://127.0.0.1:8080/cb?app=1", False),
        ("http://countersign.example/callback", True),
        ("https://countersign.example/callback#top", True),
        ("https://*.countersign.example/callback", True),
        ("/callback", True),
        ("myapp://callback", True),
        ("", True),
    ],
)
def test_xero_sandbox_registering_a_redirect_uri(uri: str, refused: bool) -> None:
    assert (redirect_uri_problem(uri) is not None) is refused


def _clients() -> Clients:
    clients = Clients()
    clients.register_app("app", "s3cret", [CALLBACK, CALLBACK + "?tenant=1"], "Countersign")
    return clients


def _query(**overrides: str | None) -> list[tuple[str, str]]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": "app",
        "redirect_uri": CALLBACK,
        "scope": "openid offline_access accounting.transactions",
        "state": "st-1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **overrides,
    }
    return [(k, v) for k, v in params.items() if v is not None]


def _redirect_params(answer: object) -> dict[str, list[str]]:
    assert isinstance(answer, Redirect)
    assert answer.location.startswith(CALLBACK + "?")
    return parse_qs(urlsplit(answer.location).query)


def test_xero_sandbox_a_good_authorize_request_is_kept_for_the_login() -> None:
    checked = check_authorize(_query(), _clients())
    assert isinstance(checked, AuthorizeRequest)
    assert (checked.client.client_id, checked.redirect_uri, checked.state) == (
        "app",
        CALLBACK,
        "st-1",
    )
    assert checked.code_challenge == CHALLENGE
    without_pkce = check_authorize(
        _query(code_challenge=None, code_challenge_method=None), _clients()
    )
    assert isinstance(without_pkce, AuthorizeRequest) and without_pkce.code_challenge is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_id": "someone-else"},
        {"client_id": None},
        {"redirect_uri": "https://attacker.example/callback"},
        {"redirect_uri": CALLBACK + "/"},
        {"redirect_uri": None},
    ],
)
def test_xero_sandbox_an_unknown_client_or_redirect_uri_is_an_error_page_never_a_redirect(
    overrides: dict[str, str | None],
) -> None:
    checked = check_authorize(_query(**overrides), _clients())
    assert isinstance(checked, ErrorPage)
    assert checked.error == "unauthorized_client"


def test_xero_sandbox_a_repeated_redirect_uri_is_an_error_page() -> None:
    pairs = [*_query(), ("redirect_uri", CALLBACK)]
    assert isinstance(check_authorize(pairs, _clients()), ErrorPage)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"scope": None}, "invalid_scope"),
        ({"scope": "  "}, "invalid_scope"),
        ({"scope": 'openid "quoted"'}, "invalid_scope"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": CHALLENGE[:42]}, "invalid_request"),
        ({"code_challenge": CHALLENGE[:42] + "+"}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
    ],
)
def test_xero_sandbox_other_bad_authorize_requests_go_back_with_the_error_and_state(
    overrides: dict[str, str | None], error: str
) -> None:
    params = _redirect_params(check_authorize(_query(**overrides), _clients()))
    assert params == {"error": [error], "state": ["st-1"]}


def test_xero_sandbox_a_repeated_parameter_is_an_invalid_request() -> None:
    pairs = [*_query(), ("scope", "openid")]
    assert _redirect_params(check_authorize(pairs, _clients()))["error"] == ["invalid_request"]


def test_xero_sandbox_a_redirect_keeps_the_query_the_uri_was_registered_with() -> None:
    assert with_query(CALLBACK + "?tenant=1", {"code": "c d", "state": None}) == (
        CALLBACK + "?tenant=1&code=c+d"
    )


_KEY = SigningKey.generate()


class _World:
    """An identity server with one app, one user reaching two organisations, a clock."""

    def __init__(self) -> None:
        self.clock = SandboxClock()
        minter = TokenMinter(_KEY, "https://identity.example")
        self.identity = Identity(self.clock, 1800.0, 1800.0, minter)
        self.identity.clients.register_app("app", "s3cret", [CALLBACK], "Countersign")
        self.consent = Consent(self.clock)
        self.user = self.consent.add_user("Ann@Example.com", "pw", ["t-1", "t-2"])

    def pending(self, **overrides: str | None) -> Any:
        checked = check_authorize(_query(**overrides), self.identity.clients)
        assert isinstance(checked, AuthorizeRequest)
        return self.consent.begin(checked, self.user)

    def code(self, ticked: list[str], **overrides: str | None) -> str:
        location = allow(self.identity, self.pending(**overrides), self.user, ticked)
        assert location is not None
        return parse_qs(urlsplit(location).query)["code"][0]

    def exchange(self, code: str, verifier: str | None = VERIFIER) -> dict[str, Any]:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
        if verifier is not None:
            form["code_verifier"] = verifier
        return self.identity.exchange(form, ("app", "s3cret"))

    def refresh(self, token: str) -> dict[str, Any]:
        form = {"grant_type": "refresh_token", "refresh_token": token}
        return self.identity.exchange(form, ("app", "s3cret"))

    def tenants(self) -> list[str]:
        return sorted(c.tenant_id for c in self.identity.connections.of("app", self.user.user_id))


def test_xero_sandbox_consent_gives_a_code_that_connects_the_chosen_tenants() -> None:
    world = _World()
    location = allow(world.identity, world.pending(), world.user, ["t-2", "not-mine"])
    assert location is not None
    params = parse_qs(urlsplit(location).query)
    assert (params["state"], params["scope"]) == (
        ["st-1"],
        ["openid offline_access accounting.transactions"],
    )
    tokens = world.exchange(params["code"][0])
    assert world.tenants() == ["t-2"]
    connections = world.identity.connections.of("app", world.user.user_id)
    assert {c.auth_event_id for c in connections} == {_auth_event(tokens)}
    grant = world.identity.access[tokens["access_token"]]
    assert (grant.client_id, grant.user_id) == ("app", world.user.user_id)
    assert world.identity.connected("app", "t-2", world.user.user_id)
    assert not world.identity.connected("app", "t-1", world.user.user_id)
    assert not world.identity.connected("app", "t-2")  # the control API's tokens do not reach it


def _auth_event(tokens: dict[str, Any]) -> str:
    claims = tokens["access_token"].split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(claims + "=" * 4))
    return str(decoded["authentication_event_id"])


def test_xero_sandbox_consent_without_an_organisation_gives_no_code() -> None:
    world = _World()
    assert allow(world.identity, world.pending(), world.user, []) is None
    assert allow(world.identity, world.pending(), world.user, ["someone-elses"]) is None
    assert world.identity.codes == {}


def test_xero_sandbox_an_already_connected_organisation_counts_as_chosen() -> None:
    world = _World()
    world.exchange(world.code(["t-1"]))
    again = world.code([])
    world.exchange(again)
    assert world.tenants() == ["t-1"]


def test_xero_sandbox_cancelling_sends_access_denied_with_the_state() -> None:
    location = deny(_World().pending())
    assert parse_qs(urlsplit(location).query) == {"error": ["access_denied"], "state": ["st-1"]}


@pytest.mark.parametrize("verifier", [OTHER_VERIFIER, None])
def test_xero_sandbox_a_pkce_code_needs_its_verifier_and_is_spent_by_a_wrong_one(
    verifier: str | None,
) -> None:
    world = _World()
    code = world.code(["t-1"])
    with pytest.raises(TokenError) as refused:
        world.exchange(code, verifier)
    assert refused.value.code == "invalid_grant"
    with pytest.raises(TokenError):
        world.exchange(code)  # the right verifier is too late: the code was used
    assert world.tenants() == []


def test_xero_sandbox_a_verifier_for_a_code_issued_without_a_challenge_is_refused() -> None:
    world = _World()
    code = world.code(["t-1"], code_challenge=None, code_challenge_method=None)
    with pytest.raises(TokenError):
        world.exchange(code, VERIFIER)
    assert world.exchange(
        world.code(["t-1"], code_challenge=None, code_challenge_method=None), None
    )


def test_xero_sandbox_a_code_is_redeemed_once_with_its_redirect_uri() -> None:
    world = _World()
    code = world.code(["t-1"])
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": VERIFIER}
    with pytest.raises(TokenError):
        world.identity.exchange({**form, "redirect_uri": CALLBACK + "/"}, ("app", "s3cret"))
    code = world.code(["t-1"])
    assert world.exchange(code)["token_type"] == "Bearer"
    with pytest.raises(TokenError):
        world.exchange(code)


def test_xero_sandbox_revoking_ends_the_users_grant_to_the_app() -> None:
    world = _World()
    first = world.exchange(world.code(["t-1"]))
    second = world.exchange(world.code(["t-2"]))
    assert world.tenants() == ["t-1", "t-2"]
    world.identity.revoke("app", second["refresh_token"])
    assert world.tenants() == []
    for tokens in (first, second):
        with pytest.raises(TokenError):
            world.refresh(tokens["refresh_token"])


def test_xero_sandbox_revoking_a_control_token_removes_only_its_own_connections() -> None:
    identity = _World().identity
    identity.register("app", "s3cret")
    identity.connect("app", "t-1", "One", "event-1")
    identity.connect("app", "t-2", "Two", "event-2")
    kept = identity.issue("app", "openid", "event-1")
    revoked = identity.issue("app", "openid", "event-2")
    identity.revoke("app", revoked["refresh_token"])
    assert [c.tenant_id for c in identity.connections.values()] == ["t-1"]
    form = {"grant_type": "refresh_token", "refresh_token": kept["refresh_token"]}
    assert identity.exchange(form, ("app", "s3cret"))["access_token"]


def test_xero_sandbox_a_refresh_works_while_its_authorisation_keeps_a_connection() -> None:
    world = _World()
    tokens = world.exchange(world.code(["t-1", "t-2"]))
    connections = world.identity.connections.of("app", world.user.user_id)
    world.identity.disconnect([connections[0]])
    tokens = world.refresh(tokens["refresh_token"])
    world.identity.disconnect([connections[1]])
    with pytest.raises(TokenError) as refused:
        world.refresh(tokens["refresh_token"])
    assert refused.value.code == "invalid_grant"


def test_xero_sandbox_a_pending_login_lives_ten_minutes() -> None:
    world = _World()
    pending = world.pending()
    assert world.consent.waiting(pending.pending_id) is pending
    world.clock.advance(601)
    assert world.consent.waiting(pending.pending_id) is None


def test_xero_sandbox_logging_in_needs_the_users_password() -> None:
    consent = _World().consent
    assert consent.log_in("ann@example.com", "wrong") is None
    assert consent.log_in("nobody@example.com", "pw") is None
    found = consent.log_in(" ANN@example.com", "pw")
    assert found is not None
    session_id, user, sign_in = found
    assert consent.signed_in(session_id) == (user, sign_in)
    assert consent.signed_in("forged") is None


def test_xero_sandbox_pages_escape_every_value() -> None:
    hostile = '<script>alert("x")</script>'
    page = consent_page(
        '"><b>',
        (hostile, "app&id"),
        "openid <x>",
        "ann@example.com",
        [Organisation('t"1', hostile, False), Organisation("t2", "Two & Co", True)],
        hostile,
    )
    assert "<script>" not in page and "<b>" not in page and "<x>" not in page
    assert "&lt;script&gt;" in page and "Two &amp; Co" in page
    assert 'value="t&quot;1"' in page
    assert "<script>" not in login_page("p", hostile, hostile)


def test_xero_sandbox_a_user_registered_again_keeps_their_id() -> None:
    consent = Consent(SandboxClock())
    first = consent.add_user("ann@example.com", "one", ["t-1"])
    again = consent.add_user("ANN@example.com", "two", ["t-2"])
    assert again.user_id == first.user_id and again.tenant_ids == ["t-2"]
    assert consent.log_in("ann@example.com", "one") is None
