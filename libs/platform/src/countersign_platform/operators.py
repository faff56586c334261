"""The operator token: what guards the admin endpoints that exist before any user does
(registering an organisation, setting its Dext secret, connecting Xero)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Header

from countersign_platform.problems import Problem
from countersign_platform.runtime import Runtime, runtime

__all__ = ["Operator", "require_operator"]


async def require_operator(
    state: Annotated[Runtime[Any], Depends(runtime)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    expected = state.settings.admin_token
    if expected is None:
        raise Problem(
            403,
            "admin-disabled",
            "Admin endpoints are disabled",
            "set COUNTERSIGN_ADMIN_TOKEN to enable them",
        )
    presented = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(presented.encode(), expected.get_secret_value().encode()):
        raise Problem(
            401,
            "unauthorised",
            "Operator token required",
            "send Authorization: Bearer <COUNTERSIGN_ADMIN_TOKEN>",
        )


Operator = Annotated[None, Depends(require_operator)]
