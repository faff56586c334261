"""Signing people in (ADR 0048), for the web app: links sent by e-mail, OpenID Connect, and
sessions exchanged for access tokens. Every call here is the web app's, authenticated as a
client (``Authorization: Basic name:secret``, APPROVAL_CLIENTS); people never call these
endpoints themselves, and no secret they return is ever logged."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated
from uuid import UUID

from countersign_contracts import Text
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.problems import Problem
from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, ConfigDict, Field

from countersign_approval.api.access import AccessTokenOut, access_token_out, no_signing_key
from countersign_approval.api.auth import State
from countersign_approval.domain.sign_in import OpenedSession
from countersign_approval.domain.workflow import Email
from countersign_approval.handlers.sign_in import (
    redeem_link,
    session_access,
    sign_in_links,
    sign_in_with_id_token,
    sign_out,
)

__all__ = ["router"]

router = APIRouter(tags=["signing in (web app)"], route_class=StrictJsonRoute)

Secret = Annotated[Text, Field(min_length=8, max_length=200)]


def _client_refused(detail: str) -> Problem:
    return Problem(
        401,
        "unauthorised",
        "Client credentials required",
        detail,
        headers={"WWW-Authenticate": 'Basic realm="countersign"'},
    )


async def client(state: State, authorization: Annotated[str | None, Header()] = None) -> str:
    """The client calling, by its name, once its secret matches."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        raise _client_refused("send Authorization: Basic base64(client:secret)")
    try:
        name, colon, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _client_refused("the client credentials are malformed") from None
    if not colon or not state.parts.sign_in.clients.authenticate(name, secret):
        raise _client_refused("unknown client or wrong secret")
    return name


Client = Annotated[str, Depends(client)]


class LinksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email


class LinkOut(BaseModel):
    organisation_id: UUID
    organisation_name: str
    user_id: UUID
    name: str
    code: str = Field(description="single use; put it in the link you e-mail, show it nowhere")
    expires_at: datetime


class LinksOut(BaseModel):
    links: list[LinkOut] = Field(
        description="one per organisation where the address is a user's; empty when none is"
        " (tell the person the same either way)"
    )


class RedeemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Secret


class OidcIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_token: Text = Field(min_length=10, max_length=16384)
    nonce: Text = Field(min_length=16, max_length=200, description="the nonce this sign-in sent")
    organisation_id: UUID | None = Field(
        default=None, description="needed when the person is a user in several organisations"
    )


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_token: Secret


class SessionOut(BaseModel):
    session_token: str = Field(description="keep it sealed in an HttpOnly cookie, nowhere else")
    session_id: UUID
    organisation_id: UUID
    user_id: UUID
    email: str
    name: str
    roles: list[str]
    method: str
    expires_at: datetime


def _session(opened: OpenedSession, response: Response) -> SessionOut:
    response.headers["Cache-Control"] = "no-store"
    person = opened.person
    return SessionOut(
        session_token=opened.token,
        session_id=opened.session_id,
        organisation_id=opened.organisation_id,
        user_id=person.user_id,
        email=person.email,
        name=person.name,
        roles=sorted(person.roles),
        method=opened.method.value,
        expires_at=opened.expires_at,
    )


@router.post("/sign-in/links", summary="Single-use sign-in codes for an address, to e-mail")
async def links(body: LinksIn, state: State, caller: Client, response: Response) -> LinksOut:
    found = await sign_in_links(state.pool, state.parts.sign_in, caller, body.email)
    response.headers["Cache-Control"] = "no-store"
    return LinksOut(
        links=[
            LinkOut(
                organisation_id=link.organisation_id,
                organisation_name=link.organisation_name,
                user_id=link.person.user_id,
                name=link.person.name,
                code=link.code,
                expires_at=link.expires_at,
            )
            for link in found
        ]
    )


@router.post("/sign-in/links/redeem", status_code=201, summary="A session for a link's code")
async def redeem(body: RedeemIn, state: State, caller: Client, response: Response) -> SessionOut:
    opened = await redeem_link(state.pool, state.parts.sign_in, caller, body.code)
    return _session(opened, response)


@router.post(
    "/sign-in/oidc",
    status_code=201,
    summary="A session for a person the OpenID Connect provider signed in (its ID token)",
)
async def oidc(body: OidcIn, state: State, caller: Client, response: Response) -> SessionOut:
    provider = state.parts.oidc
    if provider is None:
        raise Problem(404, "oidc-not-configured", "No identity provider", "set APPROVAL_OIDC_*")
    opened = await sign_in_with_id_token(
        state.pool,
        state.parts.sign_in,
        provider,
        caller,
        body.id_token,
        body.nonce,
        body.organisation_id,
    )
    return _session(opened, response)


@router.post(
    "/sessions/access-tokens",
    status_code=201,
    summary="An access token for the session's user (the session counts as used)",
)
async def session_token(
    body: SessionIn, state: State, caller: Client, response: Response
) -> AccessTokenOut:
    keys = state.parts.signing_keys
    if keys is None:
        raise no_signing_key()
    grant = await session_access(
        state.pool, state.parts.sign_in, keys, caller, body.session_token,
        state.parts.access_token_ttl_s,
    )  # fmt: skip
    return access_token_out(grant, response)


@router.post("/sessions/sign-out", status_code=204, summary="End the session")
async def end(body: SessionIn, state: State, caller: Client) -> Response:
    await sign_out(state.pool, caller, body.session_token)
    return Response(status_code=204)
