"""The Xero sandbox as an OpenID Connect provider ("Sign in with Xero"), over real HTTP: the
discovery document and key set, ID tokens that verify against that key set, the nonce, userinfo,
signing in without connecting an organisation, and PKCE still holding."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import pytest
from countersign_harness.browser import Browser
from countersign_harness.serving import served_over_http
from countersign_xero_sandbox.harness import control, serve
from countersign_xero_sandbox.settings import SandboxSettings
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.xero.tests.oidc_flow import (
    EMAIL,
    IDENTITY_SCOPE,
    App,
    echo_callback,
    echoed,
    pkce,
    register,
    sign_in,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    # Real time: the tokens' iat/exp are checked against this machine's clock.
    with serve(SandboxSettings(limits_enabled=False)) as url:
        yield url


@pytest.fixture(name="app")
async def app_fixture(sandbox_url: str) -> AsyncIterator[App]:
    control(sandbox_url, "POST", "/_sandbox/reset")
    async with served_over_http(echo_callback()) as callback_root:
        yield register(sandbox_url, f"{callback_root}/callback")


@pytest.fixture(name="browser")
async def browser_fixture() -> AsyncIterator[Browser]:
    browser = Browser()
    yield browser
    await browser.aclose()


def _authorize_url(app: App, scope: str, challenge: str | None, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "scope": scope,
        "state": "st-7",
        **({"code_challenge": challenge, "code_challenge_method": "S256"} if challenge else {}),
        **extra,
    }
    return f"{app.root}/identity/connect/authorize?{urlencode(params)}"


async def _call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.request(method, url, **kwargs)


async def _exchange(app: App, code: str, verifier: str | None) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": app.redirect_uri}
    form |= {"code_verifier": verifier} if verifier else {}
    auth = (app.client_id, app.secret)
    return await _call("POST", f"{app.root}/connect/token", data=form, auth=auth)


async def _tokens(
    app: App, browser: Browser, scope: str = IDENTITY_SCOPE, **extra: str
) -> dict[str, Any]:
    verifier, challenge = pkce()
    back = echoed(await sign_in(browser, _authorize_url(app, scope, challenge, **extra), []))
    assert back["state"] == "st-7"
    answer = await _exchange(app, back["code"], verifier)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


async def _verified(
    app: App, token: str, audience: str, nonce: str | None = None
) -> dict[str, Any]:
    """The claims of a token signed with a key of the discovered key set (PyJWT's checks)."""
    config = (await _call("GET", f"{app.root}/.well-known/openid-configuration")).json()
    keys = jwt.PyJWKSet.from_dict((await _call("GET", config["jwks_uri"])).json())
    key = next(k for k in keys.keys if k.key_id == jwt.get_unverified_header(token)["kid"])
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=config["id_token_signing_alg_values_supported"],
        audience=audience,
        issuer=config["issuer"],
        options={"require": ["iss", "aud", "exp", "iat", "sub"] if nonce else ["exp"]},
    )
    if nonce is not None:
        assert claims["nonce"] == nonce
    return claims


def test_xero_sandbox_discovery_names_its_endpoints_under_the_identity_url(
    sandbox_url: str,
) -> None:
    config = httpx.get(f"{sandbox_url}/.well-known/openid-configuration").json()
    assert config["issuer"] == sandbox_url
    assert config["jwks_uri"] == f"{sandbox_url}/.well-known/openid-configuration/jwks"
    assert config["authorization_endpoint"] == f"{sandbox_url}/identity/connect/authorize"
    assert config["token_endpoint"] == f"{sandbox_url}/connect/token"
    assert config["userinfo_endpoint"] == f"{sandbox_url}/connect/userinfo"
    assert config["revocation_endpoint"] == f"{sandbox_url}/connect/revocation"
    assert config["end_session_endpoint"] == f"{sandbox_url}/identity/connect/endsession"
    assert {"openid", "profile", "email", "offline_access", "accounting.transactions"} <= set(
        config["scopes_supported"]
    )
    assert config["response_types_supported"] == ["code"]
    assert config["subject_types_supported"] == ["public"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert set(config["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert "email_verified" not in config["claims_supported"]


def test_xero_sandbox_publishes_one_rsa_signing_key(sandbox_url: str) -> None:
    [key] = httpx.get(f"{sandbox_url}/.well-known/openid-configuration/jwks").json()["keys"]
    assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
    assert key["kid"] and key["n"] and key["e"] == "AQAB"
    assert "d" not in key  # the public half only


async def test_xero_sandbox_id_token_verifies_and_says_who_signed_in(
    app: App, browser: Browser
) -> None:
    tokens = await _tokens(app, browser, nonce="n-0S6_WzA2Mj")
    claims = await _verified(app, tokens["id_token"], app.client_id, nonce="n-0S6_WzA2Mj")
    assert claims["xero_userid"] == app.user_id
    assert claims["sub"] == app.user_id.replace("-", "")
    assert (claims["email"], claims["preferred_username"]) == (EMAIL, EMAIL)
    assert (claims["given_name"], claims["family_name"]) == ("Ada", "Lovelace")
    assert claims["exp"] - claims["iat"] == 300 and claims["nbf"] == claims["iat"]
    assert claims["auth_time"] <= claims["iat"] and claims["sid"] and claims["global_session_id"]
    assert "email_verified" not in claims  # Xero does not send it
    assert jwt.get_unverified_header(tokens["id_token"])["alg"] == "RS256"
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


async def test_xero_sandbox_id_token_has_a_nonce_only_when_asked(
    app: App, browser: Browser
) -> None:
    claims = await _verified(app, (await _tokens(app, browser))["id_token"], app.client_id)
    assert "nonce" not in claims


async def test_xero_sandbox_scopes_decide_the_profile_claims(app: App, browser: Browser) -> None:
    tokens = await _tokens(app, browser, scope="openid")
    claims = await _verified(app, tokens["id_token"], app.client_id)
    assert claims["sub"] and not {"email", "given_name", "preferred_username"} & set(claims)


async def test_xero_sandbox_access_token_is_signed_with_xeros_claims(
    app: App, browser: Browser
) -> None:
    tokens = await _tokens(app, browser, scope=IDENTITY_SCOPE + " offline_access")
    claims = await _verified(app, tokens["access_token"], f"{app.root}/resources")
    assert claims["client_id"] == app.client_id and claims["xero_userid"] == app.user_id
    assert claims["scope"] == ["openid", "profile", "email", "offline_access"]
    assert claims["authentication_event_id"] and claims["exp"] - claims["nbf"] == 1800


async def test_xero_sandbox_userinfo_answers_for_the_access_token(
    app: App, browser: Browser
) -> None:
    tokens = await _tokens(app, browser)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    got = await _call("GET", f"{app.root}/connect/userinfo", headers=bearer)
    posted = await _call("POST", f"{app.root}/connect/userinfo", headers=bearer)
    assert got.status_code == posted.status_code == 200 and got.json() == posted.json()
    sub = (await _verified(app, tokens["id_token"], app.client_id))["sub"]
    assert got.json() == {
        "sub": sub,
        "email": EMAIL,
        "preferred_username": EMAIL,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "name": "Ada Lovelace",
    }
    nope = {"Authorization": "Bearer nope"}
    refused = await _call("GET", f"{app.root}/connect/userinfo", headers=nope)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_xero_sandbox_userinfo_needs_the_openid_scope(sandbox_url: str) -> None:
    tenant = control(sandbox_url, "POST", "/_sandbox/tenants", {})["tenant_id"]
    body = {"client_id": "svc", "client_secret": "s", "tenant_ids": [tenant]}
    token = control(
        sandbox_url, "POST", "/_sandbox/tokens", {**body, "scope": "accounting.settings"}
    )
    answer = httpx.get(
        f"{sandbox_url}/connect/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert answer.status_code == 403
    assert answer.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'


async def test_xero_sandbox_signing_in_only_connects_no_organisation(
    app: App, browser: Browser
) -> None:
    page = await browser.open(_authorize_url(app, IDENTITY_SCOPE, pkce()[1]))
    fill: dict[str, str | list[str]] = {"email": EMAIL, "password": "correct horse"}
    consent = await browser.submit(page, "login-form", fill, "login")
    assert "consent-form" in consent.forms and "organisations" not in consent.elements
    assert not consent.forms["consent-form"].options  # no organisation to tick
    tokens = await _tokens(app, browser)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await _call("GET", f"{app.root}/connections", headers=bearer)).json() == []
    organisation = await _call(
        "GET",
        f"{app.root}/api.xro/2.0/Organisation",
        headers={**bearer, "xero-tenant-id": app.tenant_id, "Accept": "application/json"},
    )
    assert organisation.status_code == 403


async def test_xero_sandbox_a_second_sign_in_goes_straight_back(app: App, browser: Browser) -> None:
    await _tokens(app, browser)
    again = await browser.open(_authorize_url(app, IDENTITY_SCOPE, pkce()[1]))
    assert set(echoed(again)) == {"code", "scope", "state"}


async def test_xero_sandbox_signing_in_keeps_pkce(app: App, browser: Browser) -> None:
    for verifier in (pkce()[0], None):  # someone else's verifier, then none at all
        url = _authorize_url(app, IDENTITY_SCOPE, pkce()[1])
        code = echoed(await sign_in(browser, url, []))["code"]
        refused = await _exchange(app, code, verifier)
        assert (refused.status_code, refused.json()) == (400, {"error": "invalid_grant"})


async def test_xero_sandbox_refreshing_gives_an_id_token_for_the_same_sign_in(
    app: App, browser: Browser
) -> None:
    tokens = await _tokens(app, browser, scope=IDENTITY_SCOPE + " offline_access", nonce="n-1")
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    auth = (app.client_id, app.secret)
    answer = await _call("POST", f"{app.root}/connect/token", data=form, auth=auth)
    first = await _verified(app, tokens["id_token"], app.client_id, nonce="n-1")
    renewed = await _verified(app, answer.json()["id_token"], app.client_id)
    assert "nonce" not in renewed  # OIDC Core §12.2
    for claim in ("sub", "auth_time", "sid", "global_session_id"):
        assert renewed[claim] == first[claim]


async def test_xero_sandbox_end_session_signs_the_browser_out(app: App, browser: Browser) -> None:
    tokens = await _tokens(app, browser)
    params = {
        "id_token_hint": tokens["id_token"],
        "post_logout_redirect_uri": app.redirect_uri,
        "state": "bye",
    }
    back = await browser.open(f"{app.root}/identity/connect/endsession?{urlencode(params)}")
    assert echoed(back) == {"state": "bye"}
    page = await browser.open(_authorize_url(app, IDENTITY_SCOPE, pkce()[1]))
    assert "login-form" in page.forms


def test_xero_sandbox_a_configured_key_signs_across_restarts() -> None:
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    kids = []
    for _ in range(2):
        with serve(SandboxSettings(signing_key=pem.decode())) as url:
            jwks = httpx.get(f"{url}/.well-known/openid-configuration/jwks").json()
            kids.append(jwks["keys"][0]["kid"])
    assert kids[0] == kids[1]


def test_xero_sandbox_users_get_names(sandbox_url: str) -> None:
    named = {"email": "x@acme.example", "password": "p", "given_name": "Grace"}
    made = control(sandbox_url, "POST", "/_sandbox/users", {**named, "family_name": "Hopper"})
    assert (made["given_name"], made["family_name"]) == ("Grace", "Hopper")
    plain = control(sandbox_url, "POST", "/_sandbox/users", {"email": "owner@a.b", "password": "p"})
    assert (plain["given_name"], plain["family_name"]) == ("Owner", "User")
