"""The operator token: what guards the admin endpoints that exist before any user does
(registering an organisation, setting its Dext secret, connecting Xero)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Header

from countersign_platform.problems import Problem
from countersign_platform.runtime import Runtime, runtime
from countersign_platform.settings import ServiceSettings

__all__ = ["Operator", "is_operator", "require_operator"]


def is_operator(settings: ServiceSettings, authorization: str | None) -> bool:
    """Whether the header carries the operator token (compared in constant time)."""
    expected = settings.admin_token
    if expected is None:
        return False
    presented = (authorization or "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(presented.encode(), expected.get_secret_value().encode())


async def require_operator(
    state: Annotated[Runtime[Any], Depends(runtime)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    if state.settings.admin_token is None:
        raise Problem(
            403,
            "admin-disabled",
            "Admin endpoints are disabled",
            "set COUNTERSIGN_ADMIN_TOKEN to enable them",
        )
    if not is_operator(state.settings, authorization):
        raise Problem(
            401,
            "unauthorised",
            "Operator token required",
            "send Authorization: Bearer <COUNTERSIGN_ADMIN_TOKEN>",
        )


Operator = Annotated[None, Depends(require_operator)]
