"""An OAuth2 token endpoint as both ledgers serve it (RFC 6749 §4.1.3 and §6): a form POST with
the client's HTTP Basic credentials, answered with a token set or ``invalid_grant``.

    grant(form) ─▶ POST <token endpoint>  grant_type=authorization_code | refresh_token
                ─▶ 200: TokenSet │ 400/401: None (the grant or the client refused) │ else: raises

Xero's identity service and Intuit's are this same endpoint; each ledger's identity module
adds what is its own (Xero's tenants and connections, Intuit's discovery document and revoke).
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from countersign_platform.outbound import HttpUnreachable, OutboundHttp

from countersign_publisher.ledger.errors import LedgerTransient

__all__ = ["TokenEndpoint", "TokenSet", "basic_auth"]


@dataclass(frozen=True)
class TokenSet:
    """What a grant gives: an access token, the refresh token that renews it, and when the
    access token expires."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    scope: str | None = None

    @classmethod
    def from_response(cls, body: dict[str, Any], now: datetime | None = None) -> TokenSet:
        issued = now or datetime.now(UTC)
        return cls(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_at=issued + timedelta(seconds=int(body.get("expires_in", 1800))),
            scope=body.get("scope"),
        )


def basic_auth(client_id: str, client_secret: str) -> str:
    credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return f"Basic {credentials}"


class TokenEndpoint:
    """One ledger's token endpoint. ``url`` is awaited on each use: Intuit's comes from its
    discovery document, read once; Xero's is fixed. ``transient`` is the error this ledger's
    callers catch when the endpoint does not answer (Xero's code catches ``XeroTransient``)."""

    def __init__(
        self,
        http: OutboundHttp,
        url: Callable[[], Awaitable[str]],
        *,
        client_id: str,
        client_secret: str,
        title: str,
        transient: type[LedgerTransient] = LedgerTransient,
    ) -> None:
        self._http = http
        self._url = url
        self.authorization = basic_auth(client_id, client_secret)
        self.title = title
        self._transient = transient

    async def grant(self, form: dict[str, str]) -> TokenSet | None:
        """POSTs a token grant; None when the ledger refuses it (``invalid_grant``)."""
        try:
            response = await self._http.request(
                "POST",
                await self._url(),
                form=form,
                headers={"Authorization": self.authorization, "Accept": "application/json"},
                operation=f"{self.title} identity token",
            )
        except HttpUnreachable as exc:  # a timeout too
            raise self._transient(
                f"{self.title} identity unreachable ({type(exc).__name__})"
            ) from exc
        if response.status_code in (400, 401):
            return None
        if response.status_code >= 300:
            raise self._transient(f"{self.title} identity answered {response.status_code}")
        return TokenSet.from_response(response.json())
