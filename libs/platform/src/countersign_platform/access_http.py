"""Access tokens at an endpoint: ``Authorization: Bearer <access token>`` checked by the
running service's verifier (``Runtime.access``), its organisation and roles by the path.

    @router.put("/v1/organisations/{organisation_id}/dext-connection")
    async def connect(organisation_id: UUID, admin: OrganisationAdmin) -> ...

    no token, or a token refused ─▶ 401 unauthorised, WWW-Authenticate: Bearer …
    this service accepts none     ─▶ 401 (ACCESS_JWKS_URL unset)
    key set unreadable            ─▶ 503 unavailable, Retry-After
    another organisation's token  ─▶ 404 No such organisation (as if it did not exist)
    a role it does not hold       ─▶ 403 forbidden, "this needs the admin role"

Tokens never reach a log line or a problem document; a refusal says why in words only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Header

from countersign_platform.access import AccessRefused, AccessUnavailable, AccessVerifier, Caller
from countersign_platform.operators import is_operator
from countersign_platform.problems import Problem
from countersign_platform.runtime import Runtime, runtime

__all__ = [
    "AccessCaller",
    "AdminOrOperator",
    "OrganisationAdmin",
    "OrganisationMember",
    "access_caller",
    "bearer_token",
    "organisation_member",
    "unauthorised",
    "verified_caller",
]

RETRY_AFTER_S = "5"


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header; "" when there is none."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def unauthorised(detail: str, error: str | None = "invalid_token") -> Problem:
    """A 401 for an access token: ``detail`` says why, never what the token was."""
    # RFC 6750: a request without credentials gets the bare challenge, a bad token its error.
    challenge = "Bearer" if error is None else f'Bearer error="{error}"'
    return Problem(
        401,
        "unauthorised",
        "Access token required",
        detail,
        headers={"WWW-Authenticate": challenge},
    )


async def verified_caller(verifier: AccessVerifier | None, token: str) -> Caller:
    """The caller ``token`` names, or the problem that answers for it."""
    if verifier is None:
        raise unauthorised("access tokens are not accepted here (no ACCESS_JWKS_URL)")
    try:
        return await verifier.verify(token)
    except AccessRefused as refused:
        raise unauthorised(refused.reason) from None
    except AccessUnavailable:
        raise Problem(
            503,
            "unavailable",
            "Access cannot be checked now",
            "the access-token key set cannot be read; try again shortly",
            headers={"Retry-After": RETRY_AFTER_S},
        ) from None


async def access_caller(
    state: Annotated[Runtime[Any], Depends(runtime)],
    authorization: Annotated[str | None, Header()] = None,
) -> Caller:
    """FastAPI dependency: the verified caller of any organisation."""
    token = bearer_token(authorization)
    if not token:
        raise unauthorised("send Authorization: Bearer <access token>", error=None)
    return await verified_caller(state.access, token)


AccessCaller = Annotated[Caller, Depends(access_caller)]


def organisation_member(*roles: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the caller, a member of the path's ``organisation_id`` holding one of
    ``roles`` (any role when none is named)."""

    async def member(organisation_id: UUID, caller: AccessCaller) -> Caller:
        if caller.organisation_id != organisation_id:
            raise Problem(404, "not-found", "No such organisation", f"{organisation_id} is unknown")
        if roles and not caller.has(*roles):
            wanted = " or ".join(roles)
            raise Problem(403, "forbidden", "Not allowed", f"this needs the {wanted} role")
        return caller

    return member


OrganisationAdmin = Annotated[Caller, Depends(organisation_member("admin"))]
"""An admin of the organisation in the path."""

OrganisationMember = Annotated[Caller, Depends(organisation_member())]
"""Anyone of the organisation in the path, whatever their roles."""


async def _admin_or_operator(
    organisation_id: UUID,
    state: Annotated[Runtime[Any], Depends(runtime)],
    authorization: Annotated[str | None, Header()] = None,
) -> Caller | None:
    if is_operator(state.settings, authorization):
        return None
    caller = await access_caller(state, authorization)
    return await organisation_member("admin")(organisation_id, caller)


AdminOrOperator = Annotated[Caller | None, Depends(_admin_or_operator)]
"""An admin of the organisation in the path, or the operator (None): for what an operator
may do on an organisation's behalf and its admins may do themselves."""
