"""Access tokens (ADR 0044): a person exchanges their API token for a short-lived token that
every Countersign service verifies against the key set published here."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.problems import Problem
from fastapi import APIRouter, Header, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from countersign_approval.api.auth import State
from countersign_approval.domain.tokens import TOKEN_PREFIX
from countersign_approval.handlers.access import AccessGrant, grant_access

__all__ = ["AccessTokenOut", "access_token_out", "no_signing_key", "router"]

router = APIRouter(tags=["access tokens"], route_class=StrictJsonRoute)

JWKS_MAX_AGE_S = 300


class AccessTokenOut(BaseModel):
    access_token: str = Field(description="a JWS (EdDSA); send it as Authorization: Bearer")
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="seconds from now")
    organisation_id: UUID
    roles: list[str]


class JwkOut(BaseModel):
    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str
    kid: str
    use: Literal["sig"]
    alg: Literal["EdDSA"]


class JwksOut(BaseModel):
    keys: list[JwkOut]


def access_token_out(grant: AccessGrant, response: Response) -> AccessTokenOut:
    """The grant as answered, never cached on the way."""
    response.headers["Cache-Control"] = "no-store"
    return AccessTokenOut(
        access_token=grant.token,
        expires_in=grant.expires_in,
        organisation_id=grant.organisation_id,
        roles=grant.roles,
    )


def no_signing_key() -> Problem:
    return Problem(
        503, "no-signing-key", "Access tokens cannot be issued", "set APPROVAL_SIGNING_KEYS"
    )


def _api_token_required() -> Problem:
    return Problem(
        401, "unauthorised", "API token required", "send Authorization: Bearer <your API token>"
    )


@router.post(
    "/access-tokens",
    status_code=201,
    summary="Exchange your API token for a short-lived access token every service accepts",
    description="Send Authorization: Bearer csk_… (your API token). The access token names you,"
    " your organisation and your roles; it is signed with approval's current key and lasts"
    " expires_in seconds. An access token cannot be exchanged for another.",
)
async def create_access_token(
    state: State,
    response: Response,
    authorization: Annotated[str | None, Header()] = None,
) -> AccessTokenOut:
    token = (authorization or "").removeprefix("Bearer ").strip()
    keys, ttl_s = state.parts.signing_keys, state.parts.access_token_ttl_s
    if not token.startswith(TOKEN_PREFIX):
        raise _api_token_required()
    if keys is None:  # the public key set says as much: it is empty
        raise no_signing_key()
    grant = await grant_access(state.pool, keys, token, ttl_s)
    if grant is None:
        raise _api_token_required()
    return access_token_out(grant, response)


@router.get(
    "/.well-known/jwks.json",
    response_model=JwksOut,
    summary="The public keys access tokens are signed with (empty when none are issued)",
)
async def key_set(state: State) -> JSONResponse:
    keys = state.parts.signing_keys
    return JSONResponse(
        keys.jwks() if keys is not None else {"keys": []},
        headers={"Cache-Control": f"public, max-age={JWKS_MAX_AGE_S}"},
    )
