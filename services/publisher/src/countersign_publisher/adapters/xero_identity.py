"""Xero's identity side: token grants, and the tenants a token reaches.

    grant(form)          POST   <identity host>/connect/token   (``oauth_grants.TokenEndpoint``)
    revoke(refresh)      POST   <identity host>/connect/revocation
    tenants(token)       GET    <Accounting API host>/connections[?authEventId=]
    disconnect(token,id) DELETE <Accounting API host>/connections/{id}

Neither call belongs to an organisation's budget: a grant comes before any Accounting call,
and the tenants are read before the organisation has a tenant at all, so both go straight out
rather than through the ``CallScheduler``.
"""

from __future__ import annotations

from countersign_platform.outbound import OutboundHttp

from countersign_publisher.adapters.oauth_grants import TokenEndpoint, TokenSet
from countersign_publisher.adapters.xero_errors import (
    XeroAuthError,
    XeroTransient,
    transport_errors,
)
from countersign_publisher.domain.connection import Tenant

__all__ = ["XERO_API_URL", "TokenSet", "XeroIdentity"]

XERO_API_URL = "https://api.xero.com/api.xro/2.0"


def _connections_url(api_url: str) -> str:
    # Xero serves /connections at the root of the Accounting API's host, beside /api.xro/2.0.
    return api_url.rstrip("/").removesuffix("/api.xro/2.0") + "/connections"


class XeroIdentity:
    title = "Xero"
    auth_lost = XeroAuthError  # what a refused refresh raises to the connection's users

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
        token_url = identity_url.rstrip("/") + "/connect/token"
        self._revocation_url = identity_url.rstrip("/") + "/connect/revocation"
        self._connections_url = _connections_url(api_url)

        async def fixed() -> str:
            return token_url

        self._tokens = TokenEndpoint(
            http,
            fixed,
            client_id=client_id,
            client_secret=client_secret,
            title="Xero",
            transient=XeroTransient,
        )
        self._basic_auth = self._tokens.authorization

    async def grant(self, form: dict[str, str]) -> TokenSet | None:
        """POSTs a token grant; None when Xero refuses it (``invalid_grant``)."""
        return await self._tokens.grant(form)

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
