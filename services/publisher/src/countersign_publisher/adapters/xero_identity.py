"""Xero's identity side: token grants, and the tenants a token reaches.

    grant(form)          POST   <identity host>/connect/token   authorization_code | refresh_token
    revoke(refresh)      POST   <identity host>/connect/revocation
    tenants(token)       GET    <Accounting API host>/connections[?authEventId=]
    disconnect(token,id) DELETE <Accounting API host>/connections/{id}

Neither call belongs to an organisation's budget: a grant comes before any Accounting call,
and the tenants are read before the organisation has a tenant at all, so both go straight out
rather than through the ``CallScheduler``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from countersign_platform.outbound import HttpUnreachable, OutboundHttp

from countersign_publisher.adapters.xero_errors import (
    XeroAuthError,
    XeroTransient,
    transport_errors,
)
from countersign_publisher.domain.connection import Tenant

__all__ = ["XERO_API_URL", "TokenSet", "XeroIdentity"]

XERO_API_URL = "https://api.xero.com/api.xro/2.0"


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


def _connections_url(api_url: str) -> str:
    # Xero serves /connections at the root of the Accounting API's host, beside /api.xro/2.0.
    return api_url.rstrip("/").removesuffix("/api.xro/2.0") + "/connections"


class XeroIdentity:
    def __init__(
        self,
        http: OutboundHttp,
        *,
        identity_url: str,
        api_url: str,
        client_id: str,
        client_secret: str,
    ) -> None:
        self._http = http
        self._token_url = identity_url.rstrip("/") + "/connect/token"
        self._revocation_url = identity_url.rstrip("/") + "/connect/revocation"
        self._connections_url = _connections_url(api_url)
        credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._basic_auth = f"Basic {credentials}"

    async def grant(self, form: dict[str, str]) -> TokenSet | None:
        """POSTs a token grant; None when Xero refuses it (``invalid_grant``)."""
        try:
            response = await self._http.request(
                "POST",
                self._token_url,
                form=form,
                headers={"Authorization": self._basic_auth},
                operation="Xero identity token",
            )
        except HttpUnreachable as exc:
            raise XeroTransient(f"Xero identity unreachable ({type(exc).__name__})") from exc
        if response.status_code in (400, 401):
            return None
        if response.status_code >= 300:
            raise XeroTransient(f"Xero identity answered {response.status_code}")
        return TokenSet.from_response(response.json())

    async def tenants(self, access_token: str, auth_event_id: str | None = None) -> list[Tenant]:
        """The tenants the token reaches (only those one consent connected, given its auth
        event). Any answer but 200 is Xero refusing the token (``XeroAuthError``)."""
        query = {} if auth_event_id is None else {"authEventId": auth_event_id}
        with transport_errors():
            response = await self._http.get(
                self._connections_url,
                headers={"Authorization": f"Bearer {access_token}"},
                params=query,
                operation="Xero GET /connections",
            )
        if response.status_code != 200:
            raise XeroAuthError(
                f"Xero refused the token: it answered {response.status_code}",
                status=response.status_code,
            )
        return [
            Tenant(
                tenant_id=str(entry["tenantId"]),
                tenant_name=entry.get("tenantName"),
                connection_id=entry.get("id"),
            )
            for entry in response.json()
        ]

    async def disconnect(self, access_token: str, connection_id: str) -> bool:
        """Removes the app's connection to a tenant; False when Xero no longer had it."""
        with transport_errors():
            response = await self._http.request(
                "DELETE",
                f"{self._connections_url}/{connection_id}",
                headers={"Authorization": f"Bearer {access_token}"},
                operation="Xero DELETE /connections/{id}",
            )
        if response.status_code in (401, 403, 404):
            return False
        if response.status_code >= 300:
            raise XeroTransient(f"Xero answered {response.status_code} to the disconnect")
        return True

    async def revoke(self, refresh_token: str) -> None:
        """Revokes a refresh token, and with it the connections its consent made."""
        with transport_errors():
            response = await self._http.request(
                "POST",
                self._revocation_url,
                form={"token": refresh_token},
                headers={"Authorization": self._basic_auth},
                operation="Xero identity revocation",
            )
        if response.status_code >= 500:
            raise XeroTransient(f"Xero identity answered {response.status_code} to revocation")
