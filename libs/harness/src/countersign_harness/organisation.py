"""One organisation across a running Countersign, as its people and Dext see it.

An `Organisation` (``provisioning.provision_organisation`` makes one) publishes as Dext (signed,
over HTTP), decides as approvers, and reads every service's view of an item and the Xero
sandbox's state. It needs nothing but the services' URLs (``endpoints.Endpoints``), so the
e2e tests, the demo and the benchmark drive a stack the same way whoever started it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from countersign_dext_sandbox.client import DextClient
from countersign_harness.endpoints import Endpoints, mint_xero_tokens
from countersign_harness.qbo_books import QboBooks
from countersign_harness.waiting import eventually
from countersign_platform.client_tls import client_tls

__all__ = ["Organisation", "Person"]


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    roles: tuple[str, ...]


@dataclass
class Organisation:
    endpoints: Endpoints
    organisation_id: uuid.UUID
    dext_secret: str
    admin_token: str
    tenant_id: str
    tokens: dict[str, str] = field(default_factory=dict)  # email → approval API token
    name: str = ""  # as registered: the sign-in mail names it ("Sign in to <name>")
    ledger: str = "xero"  # the ledger connected; ``tenant_id`` is then a QBO company's realmId

    @property
    def qbo(self) -> QboBooks:
        """The organisation's QuickBooks Online company (``ledger`` qbo), as tests read it."""
        return QboBooks(self.endpoints, self.tenant_id)

    # -- Dext ---------------------------------------------------------------------------------

    def dext(self) -> DextClient:
        """Dext's signed client (``async with org.dext() as dext: …``)."""
        return DextClient(self.endpoints.ingest, self.organisation_id, self.dext_secret)

    async def item_status(self, item: str) -> dict[str, Any]:
        async with self.dext() as dext:
            response = await dext.item_status(item)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def wait_status(
        self, item: str, statuses: Sequence[str], timeout_s: float = 60
    ) -> dict[str, Any]:
        """The item's ingest status once it is one of ``statuses`` (or the last one seen)."""
        return await eventually(
            lambda: self.item_status(item), lambda s: s["status"] in statuses, timeout_s
        )

    async def suppliers_pulled_by_dext(self) -> list[dict[str, Any]]:
        """The supplier list, pulled the way Dext pulls it, through the Dext sandbox service."""
        async with httpx.AsyncClient(timeout=30, verify=client_tls()) as http:
            response = await http.post(
                f"{self.endpoints.dext_sandbox}/suppliers",
                json={
                    "organisation_id": str(self.organisation_id),
                    "secret": self.dext_secret,
                    "ingest_url": self.endpoints.ingest,
                },
            )
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found

    # -- approval -----------------------------------------------------------------------------

    def auth(self, email: str | None = None) -> dict[str, str]:
        token = self.admin_token if email is None else self.tokens[email]
        return {"Authorization": f"Bearer {token}"}

    async def access_token(self, email: str | None = None) -> str:
        """The user's API token (the admin's when ``email`` is None) exchanged at approval for
        an access token every service accepts (ADR 0044)."""
        async with httpx.AsyncClient(timeout=10, verify=client_tls()) as http:
            response = await http.post(
                f"{self.endpoints.approval}/access-tokens", headers=self.auth(email)
            )
        assert response.status_code == 201, response.text
        token: str = response.json()["access_token"]
        return token

    def _approval(self, suffix: str) -> str:
        return f"{self.endpoints.approval}/v1/organisations/{self.organisation_id}{suffix}"

    async def _read(self, suffix: str, **params: str) -> Any:
        """A GET of approval's organisation API as the admin, its JSON body."""
        async with httpx.AsyncClient(timeout=10, verify=client_tls()) as http:
            response = await http.get(self._approval(suffix), params=params, headers=self.auth())
        response.raise_for_status()
        return response.json()

    async def requests(self, item: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self._read("/requests", dext_item_id=item)
        return found

    async def request_of(
        self,
        item: str,
        version: int = 1,
        states: Sequence[str] = (),
        timeout_s: float = 60,
    ) -> dict[str, Any]:
        """The full request of the item version, waiting for it (and for one of ``states``)."""

        def mine(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [r for r in found if r["item_version"] == version]

        found = mine(
            await eventually(
                lambda: self.requests(item),
                lambda rs: any(not states or r["state"] in states for r in mine(rs)),
                timeout_s,
            )
        )
        if not found:
            raise AssertionError(f"no approval request for {item} v{version}")
        return await self.request(found[0]["request_id"])

    async def request(self, request_id: str) -> dict[str, Any]:
        body: dict[str, Any] = await self._read(f"/requests/{request_id}")
        return body

    async def _call(
        self, method: str, suffix: str, body: Any = None, email: str | None = None
    ) -> httpx.Response:
        """One call to approval's organisation API as ``email`` (the admin when None)."""
        async with httpx.AsyncClient(timeout=10, verify=client_tls()) as http:
            return await http.request(
                method, self._approval(suffix), json=body, headers=self.auth(email)
            )

    async def act(
        self, email: str | None, request_id: str, action: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        """``action`` (approve, reject, review, retry-publication, …) as ``email``; the admin
        when ``email`` is None."""
        return await self._call("POST", f"/requests/{request_id}/{action}", body or {}, email)

    async def recode_publication(
        self, request_id: str, line_index: int, coding: dict[str, Any]
    ) -> httpx.Response:
        """The admin recodes a line of the request's failed publication (accounts, tax types,
        tracking; ``comment`` for the trail)."""
        suffix = f"/requests/{request_id}/publication/lines/{line_index}"
        return await self._call("PATCH", suffix, coding)

    async def recode(
        self, request_id: str, line_index: int, coding: dict[str, Any], email: str | None = None
    ) -> httpx.Response:
        """``email`` (the admin when None) recodes a line of a pending request: a reviewer in
        review, or anyone allowed while Xero would refuse the coding."""
        return await self._call(
            "PATCH", f"/requests/{request_id}/lines/{line_index}", coding, email
        )

    async def users(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self._read("/users")
        return found

    async def coding_options(self) -> dict[str, Any]:
        body: dict[str, Any] = await self._read("/coding-options")
        return body

    async def approve(self, email: str, request_id: str) -> None:
        response = await self.act(email, request_id, "approve", {"comment": "Looks right"})
        assert response.status_code == 200, response.text

    async def reject(self, email: str, request_id: str, reason: str) -> None:
        response = await self.act(email, request_id, "reject", {"reason": reason})
        assert response.status_code == 200, response.text

    # -- publisher ----------------------------------------------------------------------------

    async def reload_master_data(self) -> dict[str, Any]:
        """The admin's "reload now": the publisher reads the organisation's Xero master data
        at once (and announces it when it changed)."""
        url = f"{self.endpoints.publisher}/v1/organisations/{self.organisation_id}"
        headers = {"Authorization": f"Bearer {await self.access_token()}"}
        async with httpx.AsyncClient(timeout=30, verify=client_tls()) as http:
            response = await http.post(f"{url}/master-data/reload", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def publications(self, item: str) -> list[dict[str, Any]]:
        url = f"{self.endpoints.publisher}/v1/organisations/{self.organisation_id}/publications"
        async with httpx.AsyncClient(timeout=10, verify=client_tls()) as http:
            response = await http.get(
                url, params={"dext_item_id": item}, headers=self.endpoints.operator
            )
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found

    async def wait_publication(
        self,
        item: str,
        states: Sequence[str] = ("completed", "failed", "parked"),
        timeout_s: float = 60,
    ) -> dict[str, Any]:
        """The item's latest publication once it is in one of ``states`` (or as last seen)."""
        found = await eventually(
            lambda: self.publications(item),
            lambda ps: bool(ps) and ps[-1]["state"] in states,
            timeout_s,
        )
        if not found:
            raise AssertionError(f"no publication of {item}")
        return found[-1]

    # -- the Xero sandbox ---------------------------------------------------------------------

    def xero_state(self) -> dict[str, Any]:
        """Everything the Xero sandbox holds for this organisation's tenant."""
        response = httpx.get(
            f"{self.endpoints.xero_root}/_sandbox/tenants/{self.tenant_id}/state",
            timeout=10,
            verify=client_tls(),
        )
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    def xero_invoices(self, where: Callable[[dict[str, Any]], bool] = lambda _: True) -> list[Any]:
        return [i for i in self.xero_state()["invoices"] if where(i)]

    def xero_control(self, method: str, path: str, body: Any = None) -> Any:
        """A call to the sandbox's test-control API (``/_sandbox/…``)."""
        response = httpx.request(
            method, f"{self.endpoints.xero_root}{path}", json=body, timeout=10, verify=client_tls()
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def xero_notes(self, invoice_id: str) -> list[str]:
        """The notes on a bill's History and Notes, newest first, read through Xero's
        Accounting API as any client would."""
        token = mint_xero_tokens(self.endpoints, self.tenant_id)["access_token"]
        response = httpx.get(
            f"{self.endpoints.xero_root}/api.xro/2.0/Invoices/{invoice_id}/History",
            headers={
                "Authorization": f"Bearer {token}",
                "xero-tenant-id": self.tenant_id,
                "Accept": "application/json",
            },
            timeout=10,
            verify=client_tls(),
        )
        response.raise_for_status()
        records = response.json()["HistoryRecords"]
        return [str(r["Details"]) for r in records if r["Changes"] == "Note"]

    def xero_attachment(self, invoice_id: str, file_name: str) -> bytes:
        """An attachment's bytes, downloaded through Xero's Accounting API as any client would."""
        token = mint_xero_tokens(self.endpoints, self.tenant_id)["access_token"]
        response = httpx.get(
            f"{self.endpoints.xero_root}/api.xro/2.0/Invoices/{invoice_id}/Attachments/{file_name}",
            headers={"Authorization": f"Bearer {token}", "xero-tenant-id": self.tenant_id},
            timeout=10,
            verify=client_tls(),
        )
        response.raise_for_status()
        return response.content
