"""The web app's cookies: sealed so a person can neither read the session secret in theirs nor
change who it names; flagged HttpOnly, SameSite=Lax and, behind TLS, Secure; a cookie that
does not open is no cookie. And a form is taken only with the page's token, from our origin."""

from __future__ import annotations

import base64
import os
from types import SimpleNamespace

import pytest
from countersign_platform.sealing import Keyring
from countersign_web.cookies import SESSION, Cookies, WebSession, same_token
from countersign_web.pages.rendering import FormRefused, check_form
from fastapi import Response
from starlette.requests import Request


def _keys() -> Keyring:
    return Keyring.parse("k1:" + base64.b64encode(os.urandom(32)).decode())


def _request(cookie_header: str = "", origin: str | None = None) -> Request:
    headers = [(b"cookie", cookie_header.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers})


def _session() -> WebSession:
    return WebSession("css_secret-of-the-session", "sid", "org", "uid", "ann@example.com",
                      "Ann", ["approver"])  # fmt: skip


def _written(cookies: Cookies, session: WebSession) -> str:
    response = Response()
    cookies.keep_session(response, session)
    return response.headers["set-cookie"]


def test_the_session_cookie_is_sealed_and_flagged() -> None:
    cookies = Cookies(_keys(), secure=True)
    header = _written(cookies, _session())
    value = header.split(";", 1)[0].split("=", 1)[1]

    assert "css_secret-of-the-session" not in header and "ann@example.com" not in header
    flags = header.lower()
    assert "httponly" in flags and "samesite=lax" in flags and "secure" in flags
    read = cookies.session(_request(f"{SESSION}={value}"))
    assert read is not None and read.session_token == "css_secret-of-the-session"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-4] + ("AAAA" if not v.endswith("AAAA") else "BBBB"),
        lambda v: "v1.k1.bm90IHNlYWxlZA==",
        lambda v: "",
    ],
    ids=["changed", "not sealed", "empty"],
)
def test_a_cookie_that_does_not_open_is_no_session(tamper: object) -> None:
    cookies = Cookies(_keys(), secure=False)
    value = _written(cookies, _session()).split(";", 1)[0].split("=", 1)[1]
    assert callable(tamper)
    assert cookies.session(_request(f"{SESSION}={tamper(value)}")) is None


def test_a_cookie_sealed_with_other_keys_is_no_session() -> None:
    value = _written(Cookies(_keys(), secure=False), _session()).split(";", 1)[0].split("=", 1)[1]
    assert Cookies(_keys(), secure=False).session(_request(f"{SESSION}={value}")) is None


def test_the_csrf_token_must_be_the_pages() -> None:
    session = _session()
    assert same_token(session.csrf, session.csrf)
    assert not same_token(None, session.csrf)
    assert not same_token(session.csrf + "x", session.csrf)
    assert _session().csrf != session.csrf  # one per session


def test_a_form_from_another_site_is_refused_even_with_the_token() -> None:
    web = SimpleNamespace(settings=SimpleNamespace(public_url="https://countersign.example"))
    token = _session().csrf
    check_form(_request(origin="https://countersign.example"), web, token, token)  # type: ignore[arg-type]
    check_form(_request(), web, token, token)  # type: ignore[arg-type]  # no Origin sent: token only
    with pytest.raises(FormRefused):
        check_form(_request(origin="https://evil.example"), web, token, token)  # type: ignore[arg-type]
    with pytest.raises(FormRefused):
        check_form(_request(origin="https://countersign.example"), web, "x", token)  # type: ignore[arg-type]
