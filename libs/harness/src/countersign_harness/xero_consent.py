"""An organisation's admin connects it to Xero the way a person does (ADR 0045): Countersign
gives them Xero's consent page, their browser signs in there as a Xero user, ticks the
organisations, and comes back to Countersign's callback, where they may have to pick one.

    consent = XeroConsent(org)
    await consent.prepare(tenant_ids)          # the app's redirect URI and a Xero user
    page = await consent.connect(tenant_ids)   # start ─▶ login ─▶ consent ─▶ callback page
    page.element("outcome")["data-outcome"]    # "connected", "choose-tenant", or why not
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import httpx
from countersign_harness.browser import Browser, Page
from countersign_harness.organisation import Organisation
from countersign_platform.client_tls import client_tls

__all__ = ["XeroConsent", "outcome"]


def outcome(page: Page) -> str:
    return page.element("outcome")["data-outcome"]


class XeroConsent:
    def __init__(self, org: Organisation) -> None:
        self.org = org
        self.redirect_uri = org.endpoints.xero_redirect_uri
        self.email = f"xero-{uuid.uuid4().hex[:8]}@example.test"
        self.password = uuid.uuid4().hex
        self.browser = Browser()

    async def prepare(self, tenant_ids: Sequence[str]) -> None:
        """Registers the app's redirect URI with the sandbox and a Xero user who owns the
        tenants, as the app's developer and the finance team did long before."""
        endpoints = self.org.endpoints
        async with httpx.AsyncClient(
            base_url=endpoints.xero_root, timeout=10, verify=client_tls()
        ) as http:
            client = await http.post(
                "/_sandbox/clients",
                json={
                    "client_id": endpoints.xero_client_id,
                    "client_secret": endpoints.xero_client_secret,
                    "redirect_uris": [self.redirect_uri],
                    "name": "Countersign",
                },
            )
            assert client.status_code == 201, client.text
            user = await http.post(
                "/_sandbox/users",
                json={
                    "email": self.email,
                    "password": self.password,
                    "tenant_ids": list(tenant_ids),
                },
            )
            assert user.status_code == 201, user.text

    async def start(self) -> httpx.Response:
        """The admin asks Countersign where to send their browser."""
        token = await self.org.access_token()
        async with httpx.AsyncClient(timeout=10, verify=client_tls()) as http:
            return await http.post(
                f"{self.org.endpoints.publisher}/v1/organisations/{self.org.organisation_id}"
                "/xero-connection/authorisations",
                headers={"Authorization": f"Bearer {token}"},
            )

    async def consent(self, authorize_url: str, tenant_ids: Sequence[str]) -> Page:
        """Xero's pages: sign in if asked, tick ``tenant_ids``, allow; the page the browser
        lands on after Xero sends it back."""
        page = await self.browser.open(authorize_url)
        if "login-form" in page.forms:
            page = await self.browser.submit(
                page, "login-form", {"email": self.email, "password": self.password}, "login"
            )
        return await self.browser.submit(
            page, "consent-form", {"tenant_id": list(tenant_ids)}, "allow"
        )

    async def connect(self, tenant_ids: Sequence[str], choose: str | None = None) -> Page:
        started = await self.start()
        assert started.status_code == 201, started.text
        page = await self.consent(started.json()["authorize_url"], tenant_ids)
        if choose is not None and outcome(page) == "choose-tenant":
            page = await self.browser.submit(
                page, "choose-tenant", {"tenant_id": choose}, "connect"
            )
        return page

    async def aclose(self) -> None:
        await self.browser.aclose()
