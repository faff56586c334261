"""Signing in and out (ADR 0048).

GET  /sign-in                 the form: an address, or "Sign in with Xero"
POST /sign-in                 approval issues a code per organisation; the links are
                              e-mailed; "check your mail" whoever the address is
GET  /sign-in/link?code=      "continue signing in" (a mail scanner following the link
                              signs nobody in and spends nothing)
POST /sign-in/link            the code redeemed: a session, the cookie, the inbox
GET  /sign-in/oidc            to the provider, with state, nonce and PKCE (S256)
GET  /sign-in/oidc/callback   the code exchanged; approval verifies the ID token
POST /sign-in/oidc/choose     the organisation, when the address is a user's in several
POST /sign-out                the session ended at approval, the cookies cleared
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from countersign_platform.access import AccessRefused, AccessUnavailable
from countersign_platform.client_tls import client_tls
from countersign_platform.mail import MailNotSent
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from countersign_web.approval import ChooseOrganisation, SignInFailed
from countersign_web.cookies import WebSession, new_csrf
from countersign_web.pages.rendering import Parts, WebParts, check_form, page, see_other

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter()
Field = Annotated[str, Form(max_length=4096)]


def _pending_csrf(request: Request, web: Parts) -> tuple[dict[str, Any], str]:
    pending = web.cookies.pending(request)
    pending.setdefault("csrf", new_csrf())
    return pending, str(pending["csrf"])


def _form_page(request: Request, web: Parts, template: str, **context: Any) -> HTMLResponse:
    pending, csrf = _pending_csrf(request, web)
    response = page(template, csrf=csrf, oidc_name=web.oidc and web.settings.oidc_name, **context)
    web.cookies.keep_pending(response, pending)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, web: WebParts) -> HTMLResponse:
    return _form_page(request, web, "sign_in.html")


async def _mail_links(web: Parts, email: str, links: list[dict[str, Any]]) -> None:
    base = web.settings.public_url.rstrip("/")
    urls = [(link["organisation_name"], f"{base}/sign-in/link?{urlencode({'code': link['code']})}")
            for link in links]  # fmt: skip
    text = (
        "Sign in to Countersign with the link below (it works once, for 15 minutes).\n\n"
        + "\n".join(f"{name}: {url}" for name, url in urls)
        + "\n\nIf you did not ask to sign in, ignore this message."
    )
    items = "".join(
        f'<li><a href="{html.escape(url)}">Sign in to {html.escape(name)}</a></li>'
        for name, url in urls
    )
    body = f"<p>Sign in to Countersign (each link works once, for 15 minutes):</p><ul>{items}</ul>"
    await web.outbox.send(web.outbox.message(email, "Your Countersign sign-in link", text, body))


@router.post("/sign-in", response_class=HTMLResponse)
async def ask_for_link(
    request: Request, web: WebParts, email: Field, csrf: Field = ""
) -> HTMLResponse:
    _, expected = _pending_csrf(request, web)
    check_form(request, web, csrf, expected)
    address = email.strip().lower()
    if "@" not in address or len(address) > 254:
        return _form_page(request, web, "sign_in.html", error="Enter your e-mail address.")
    links = await web.approval.sign_in_links(address)
    if links:
        try:
            await _mail_links(web, address, links)
        except MailNotSent as failed:
            log.error("sign-in mail not sent: %s", failed)
            return _form_page(request, web, "sign_in.html", error="The mail could not be sent.")
    log.info("sign-in asked: %d links mailed", len(links))
    return page("check_mail.html", email=address)


@router.get("/sign-in/link", response_class=HTMLResponse)
async def confirm_link(request: Request, web: WebParts, code: str = "") -> HTMLResponse:
    return _form_page(request, web, "continue.html", code=code)


def _signed_in(web: Parts, opened: dict[str, Any]) -> Response:
    session = WebSession(
        session_token=opened["session_token"],
        session_id=opened["session_id"],
        organisation_id=opened["organisation_id"],
        user_id=opened["user_id"],
        email=opened["email"],
        name=opened["name"],
        roles=list(opened["roles"]),
    )
    response = see_other("/inbox")
    web.cookies.clear(response)
    web.cookies.keep_session(response, session)
    return response


@router.post("/sign-in/link")
async def redeem_link(request: Request, web: WebParts, code: Field, csrf: Field = "") -> Response:
    _, expected = _pending_csrf(request, web)
    check_form(request, web, csrf, expected)
    try:
        return _signed_in(web, await web.approval.redeem(code))
    except SignInFailed as refused:
        return _form_page(request, web, "sign_in.html", error=refused.reason, status_code=403)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def _redirect_uri(web: Parts) -> str:
    return f"{web.settings.public_url.rstrip('/')}/sign-in/oidc/callback"


@router.get("/sign-in/oidc")
async def to_provider(request: Request, web: WebParts) -> Response:
    if web.oidc is None:
        return see_other("/sign-in")
    metadata = await web.oidc.metadata()
    verifier, challenge = _pkce()
    pending, _ = _pending_csrf(request, web)
    pending |= {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
                "verifier": verifier}  # fmt: skip
    query = urlencode({
        "response_type": "code", "client_id": web.oidc.client_id,
        "redirect_uri": _redirect_uri(web), "scope": "openid profile email",
        "state": pending["state"], "nonce": pending["nonce"],
        "code_challenge": challenge, "code_challenge_method": "S256",
    })  # fmt: skip
    response = RedirectResponse(f"{metadata['authorization_endpoint']}?{query}", status_code=302)
    web.cookies.keep_pending(response, pending)
    return response


async def _id_token(web: Parts, code: str, verifier: str) -> str:
    assert web.oidc is not None and web.settings.oidc_client_secret is not None
    metadata = await web.oidc.metadata()
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": _redirect_uri(web), "code_verifier": verifier}  # fmt: skip
    secret = web.settings.oidc_client_secret.get_secret_value()
    async with httpx.AsyncClient(timeout=10, verify=client_tls()) as http:
        answer = await http.post(
            metadata["token_endpoint"], data=form, auth=(web.oidc.client_id, secret)
        )
    if answer.status_code != 200:
        raise SignInFailed("the provider did not confirm the sign-in")
    return str(answer.json()["id_token"])


async def _oidc_session(
    request: Request, web: Parts, pending: dict[str, Any], organisation_id: str | None
) -> Response:
    try:
        opened = await web.approval.sign_in_oidc(
            pending["id_token"], pending["nonce"], organisation_id
        )
    except ChooseOrganisation as choose:
        response = page("choose.html", csrf=pending["csrf"], organisations=choose.organisations)
        web.cookies.keep_pending(response, pending)
        return response
    return _signed_in(web, opened)


@router.get("/sign-in/oidc/callback")
async def from_provider(
    request: Request, web: WebParts, code: str = "", state: str = "", error: str = ""
) -> Response:
    pending, _ = _pending_csrf(request, web)
    if error or not code or "state" not in pending or state != pending["state"]:
        reason = "The sign-in was not completed." if error else "The sign-in has expired."
        return _form_page(request, web, "sign_in.html", error=reason, status_code=403)
    try:
        pending["id_token"] = await _id_token(web, code, pending["verifier"])
        return await _oidc_session(request, web, pending, None)
    except (SignInFailed, AccessRefused) as refused:
        reason = getattr(refused, "reason", "refused")
        return _form_page(request, web, "sign_in.html", error=reason, status_code=403)
    except AccessUnavailable:
        return _form_page(request, web, "sign_in.html", error="Try again shortly.", status_code=503)


@router.post("/sign-in/oidc/choose")
async def choose(
    request: Request, web: WebParts, organisation_id: Field, csrf: Field = ""
) -> Response:
    pending, expected = _pending_csrf(request, web)
    check_form(request, web, csrf, expected)
    if "id_token" not in pending:
        return see_other("/sign-in")
    try:
        return await _oidc_session(request, web, pending, organisation_id)
    except SignInFailed as refused:
        return _form_page(request, web, "sign_in.html", error=refused.reason, status_code=403)


@router.post("/sign-out")
async def sign_out(request: Request, web: WebParts, csrf: Field = "") -> Response:
    session = web.cookies.session(request)
    if session is not None:
        check_form(request, web, csrf, session.csrf)
        await web.approval.sign_out(session.session_token)
    response = see_other("/sign-in")
    web.cookies.clear(response)
    return response
