"""Approval's action grants (ADR 0048), asked for as the notifier client:

    POST <approval>/action-grants  (HTTP Basic: the notifier's client name and secret)
         {"organisation_id", "request_id", "user_id"}
      ─▶ 201 {"grant": "csg_…", "expires_at": "…", "step": n}   one decision, once, by them
      ─▶ 409                                                    they are no longer awaited

A grant is a secret: it goes into one mail and nowhere else (never a log line, never a row).
Anything but those two answers is ``GrantsUnavailable``, which the sender tries again later.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import httpx

__all__ = ["ActionGrants", "Grant", "GrantsUnavailable"]


class GrantsUnavailable(Exception):
    """Approval could not be asked, or answered something else than a grant or a 409."""


@dataclass(frozen=True)
class Grant:
    secret: str
    expires_at: str
    step: int

    def __repr__(self) -> str:  # never the secret
        return f"Grant(step={self.step}, expires_at={self.expires_at!r})"


class ActionGrants:
    def __init__(self, http: httpx.AsyncClient, client_name: str, client_secret: str) -> None:
        self._http = http
        self._auth = httpx.BasicAuth(client_name, client_secret)

    async def grant(self, organisation_id: UUID, request_id: UUID, user_id: UUID) -> Grant | None:
        """A grant for the person's decision on the step that awaits them; None when no step
        awaits them any more."""
        body = {
            "organisation_id": str(organisation_id),
            "request_id": str(request_id),
            "user_id": str(user_id),
        }
        try:
            response = await self._http.post("/action-grants", json=body, auth=self._auth)
        except httpx.HTTPError as failed:
            raise GrantsUnavailable(f"approval unreachable: {type(failed).__name__}") from None
        if response.status_code == 409:
            return None
        if response.status_code != 201:
            raise GrantsUnavailable(f"approval answered {response.status_code}")
        try:
            answer = response.json()
            return Grant(str(answer["grant"]), str(answer["expires_at"]), int(answer["step"]))
        except (ValueError, KeyError, TypeError):
            raise GrantsUnavailable("approval's grant was not understood") from None
