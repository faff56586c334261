"""Intuit's identity side for QuickBooks Online: its discovery document, token grants, revoking,
and the company a token reaches.

    endpoints()            GET  <discovery URL>  authorization_endpoint, token_endpoint,
                                                 revocation_endpoint (read once, then kept)
    grant(form)            POST token_endpoint   (``oauth_grants.TokenEndpoint``)
    revoke(token)          POST revocation_endpoint  {"token": …}, HTTP Basic
    company(token, realm)  GET  <API host>/v3/company/{realm}/companyinfo/{realm}

Intuit asks apps to read the OAuth2 endpoints from discovery rather than hard-code them, so
only the discovery URL is a setting. Like Xero's identity calls, none of these is an
organisation's budgeted Accounting traffic except ``company``, one read when connecting: it
goes through the realm's budget like any other Accounting call (Intuit counts it).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote

from countersign_platform.outbound import HttpUnreachable, OutboundHttp

from countersign_publisher.adapters.oauth_grants import TokenEndpoint, TokenSet, basic_auth
from countersign_publisher.adapters.qbo_client import MINOR_VERSION, qbo_limits
from countersign_publisher.adapters.xero_limits import CallScheduler
from countersign_publisher.domain.connection import Tenant
from countersign_publisher.ledger.errors import LedgerAuthLost, LedgerTransient

__all__ = ["QBO_API_URL", "QBO_DISCOVERY_URL", "IntuitEndpoints", "IntuitIdentity"]

QBO_API_URL = "https://quickbooks.api.intuit.com"
QBO_DISCOVERY_URL = "https://developer.api.intuit.com/.well-known/openid_configuration"


@dataclass(frozen=True)
class IntuitEndpoints:
    authorization: str
    token: str
    revocation: str


class IntuitIdentity:
    title = "QuickBooks Online"
    auth_lost = LedgerAuthLost  # what a refused refresh raises to the connection's users

    def __init__(
        self,
        http: OutboundHttp,
        *,
        discovery_url: str,
        api_url: str,
        client_id: str,
        client_secret: str,
        scheduler: CallScheduler | None = None,
    ) -> None:
        self._http = http
        self._scheduler = scheduler or CallScheduler(qbo_limits())
        self._discovery_url = discovery_url
        self._api_url = api_url.rstrip("/")
        self._found: IntuitEndpoints | None = None
        self._reading = asyncio.Lock()
        self._authorization = basic_auth(client_id, client_secret)
        self._tokens = TokenEndpoint(
            http, self._token_url, client_id=client_id, client_secret=client_secret,
            title=self.title,
        )  # fmt: skip

    async def endpoints(self) -> IntuitEndpoints:
        """The OAuth2 endpoints the discovery document names, read on first need."""
        async with self._reading:
            if self._found is None:
                self._found = await self._discover()
            return self._found

    async def _discover(self) -> IntuitEndpoints:
        try:
            response = await self._http.get(self._discovery_url, operation="Intuit discovery")
        except HttpUnreachable as exc:
            raise LedgerTransient(f"Intuit's discovery document unreachable ({exc})") from exc
        if response.status_code != 200:
            raise LedgerTransient(f"Intuit's discovery document: {response.status_code}")
        document = response.json()
        try:
            return IntuitEndpoints(
                authorization=str(document["authorization_endpoint"]),
                token=str(document["token_endpoint"]),
                revocation=str(document["revocation_endpoint"]),
            )
        except (KeyError, TypeError) as exc:
            raise LedgerTransient(f"Intuit's discovery document lacks {exc}") from exc

    async def _token_url(self) -> str:
        return (await self.endpoints()).token

    async def grant(self, form: dict[str, str]) -> TokenSet | None:
        """POSTs a token grant; None when Intuit refuses it (``invalid_grant``)."""
        return await self._tokens.grant(form)

    async def revoke(self, token: str) -> None:
        """Revokes a refresh (or access) token: Intuit disconnects the app from the company."""
        url = (await self.endpoints()).revocation
        try:
            response = await self._http.request(
                "POST",
                url,
                json={"token": token},
                headers={"Authorization": self._authorization, "Accept": "application/json"},
                operation="Intuit revoke",
            )
        except HttpUnreachable as exc:
            raise LedgerTransient(f"Intuit's revoke endpoint unreachable ({exc})") from exc
        if response.status_code >= 500:
            raise LedgerTransient(f"Intuit answered {response.status_code} to revocation")

    async def company(self, access_token: str, realm_id: str) -> Tenant:
        """The company the token reaches, with its name; ``LedgerAuthLost`` when the token
        does not reach it (401 or 403)."""
        realm = quote(realm_id, safe="")
        try:
            async with self._scheduler.call(realm_id):
                response = await self._http.get(
                    f"{self._api_url}/v3/company/{realm}/companyinfo/{realm}",
                    params={"minorversion": MINOR_VERSION},
                    headers={
                        "Authorization": f"Bearer {access_token}",
                        "Accept": "application/json",
                    },
                    operation="QBO GET companyinfo",
                )
        except HttpUnreachable as exc:
            raise LedgerTransient(f"QuickBooks Online unreachable ({exc})") from exc
        if response.status_code in (401, 403):
            raise LedgerAuthLost(
                f"QuickBooks Online refused the token for company {realm_id}",
                status=response.status_code,
            )
        if response.status_code != 200:
            raise LedgerTransient(f"QuickBooks Online answered {response.status_code}")
        info = response.json().get("CompanyInfo") or {}
        return Tenant(tenant_id=realm_id, tenant_name=info.get("CompanyName"))
