"""An async client for the parts of Xero's Accounting API the publisher uses.

Every call goes through the organisation's ``CallScheduler`` budget, carries the tenant header
and a fresh access token, and every write carries an ``Idempotency-Key``. Responses are turned
into plain dicts; failures into the exceptions of ``xero_errors`` (``raise_for_xero``) — nothing
above this module sees a transport error or a status code.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Protocol
from urllib.parse import quote
from uuid import UUID

from countersign_platform.outbound import HttpResponse, OutboundHttp

from countersign_publisher.adapters.xero_errors import raise_for_xero, transport_errors
from countersign_publisher.adapters.xero_limits import CallScheduler
from countersign_publisher.adapters.xero_mapping import Json, operation_name, where_text

__all__ = ["CredentialSource", "Credentials", "XeroClient", "publisher_user_agent"]

FOUR_PLACES = {"unitdp": "4"}
"""Sent with every call that writes or reads line items: Xero then keeps (and shows) unit
prices to four decimal places instead of rounding them to two before computing the line."""


@dataclass(frozen=True)
class Credentials:
    access_token: str
    tenant_id: str


class CredentialSource(Protocol):
    async def credentials(self, organisation_id: UUID, *, refresh: bool = False) -> Credentials:
        """A valid access token for the organisation; ``refresh`` forces a new one."""
        ...


def publisher_user_agent() -> str:
    """How the publisher names itself to Xero. The Xero fidelity net (tests/fidelity) also
    relies on it: in the sandbox's recordings it tells the publisher's requests, which must
    match Xero's request schemas, from the deliberately malformed ones tests send by hand."""
    return f"countersign-publisher/{importlib.metadata.version('countersign-publisher')}"


class XeroClient:
    def __init__(
        self,
        http: OutboundHttp,
        api_url: str,
        credentials: CredentialSource,
        scheduler: CallScheduler,
    ) -> None:
        self._http = http
        self._api_url = api_url.rstrip("/")
        self._credentials = credentials
        self._scheduler = scheduler
        self._user_agent = publisher_user_agent()

    async def _send(
        self,
        organisation_id: UUID,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> HttpResponse:
        refresh = False
        for _ in range(2):
            creds = await self._credentials.credentials(organisation_id, refresh=refresh)
            sent_headers = {
                "Authorization": f"Bearer {creds.access_token}",
                "xero-tenant-id": creds.tenant_id,
                "Accept": "application/json",
                "User-Agent": self._user_agent,
                **(headers or {}),
            }
            if idempotency_key is not None:
                sent_headers["Idempotency-Key"] = idempotency_key
            async with self._scheduler.call(str(organisation_id)):
                with transport_errors():
                    response = await self._http.request(
                        method,
                        self._api_url + path,
                        params=params,
                        json=json,
                        content=content,
                        headers=sent_headers,
                        operation=operation_name(method, path),
                    )
            self._scheduler.observe(str(organisation_id), response.status_code, response.headers)
            if response.status_code == 401 and not refresh:
                refresh = True  # the token may have been revoked or expired early: once more
                continue
            raise_for_xero(response)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def _get(
        self, organisation_id: UUID, path: str, params: Mapping[str, str] | None = None, **kw: Any
    ) -> Json:
        response = await self._send(organisation_id, "GET", path, params=params, **kw)
        body: Json = response.json()
        return body

    async def _write_one(
        self, organisation_id: UUID, method: str, path: str, element: Json, key: str, **kw: Any
    ) -> Json:
        """Writes one element of a collection (``/Payments``, ``/Invoices/{id}``…), answered
        as Xero answers: the collection, the element first."""
        collection = path.split("/")[1]
        response = await self._send(
            organisation_id, method, path, json={collection: [element]}, idempotency_key=key, **kw
        )
        return dict(response.json()[collection][0])

    # Contacts -----------------------------------------------------------------------------

    async def contacts_named(self, organisation_id: UUID, name: str) -> list[Json]:
        body = await self._get(organisation_id, "/Contacts", {"where": f"Name=={where_text(name)}"})
        return list(body.get("Contacts") or [])

    async def create_contact(self, organisation_id: UUID, name: str, key: str) -> Json:
        return await self._write_one(organisation_id, "PUT", "/Contacts", {"Name": name}, key)

    async def contact(self, organisation_id: UUID, contact_id: UUID) -> Json:
        body = await self._get(organisation_id, f"/Contacts/{contact_id}")
        return dict(body["Contacts"][0])

    async def contacts_page(
        self, organisation_id: UUID, page: int, modified_since: datetime | None
    ) -> list[Json]:
        return await self.changed_page(organisation_id, "Contacts", page, modified_since)

    async def changed_page(
        self, organisation_id: UUID, collection: str, page: int, modified_since: datetime | None
    ) -> list[Json]:
        """A page (100) of ``Contacts`` or of bills (``Invoices`` of Type ACCPAY, with their
        lines), only those changed since ``modified_since`` when given."""
        headers = {}
        if modified_since is not None:
            headers["If-Modified-Since"] = format_datetime(modified_since, usegmt=True)
        params = {"page": str(page)}
        if collection == "Invoices":
            params.update({"where": 'Type=="ACCPAY"', **FOUR_PLACES})
        response = await self._send(
            organisation_id, "GET", f"/{collection}", params=params, headers=headers
        )
        if response.status_code == 304:
            return []
        return list(response.json().get(collection) or [])

    # Master data --------------------------------------------------------------------------

    async def accounts(
        self, organisation_id: UUID, modified_since: datetime | None = None
    ) -> list[Json]:
        """The chart of accounts; with ``modified_since`` only the accounts changed since."""
        headers = {}
        if modified_since is not None:
            headers["If-Modified-Since"] = format_datetime(modified_since, usegmt=True)
        response = await self._send(organisation_id, "GET", "/Accounts", headers=headers)
        if response.status_code == 304:
            return []
        return list(response.json().get("Accounts") or [])

    async def settings(self, organisation_id: UUID, collection: str) -> list[Json]:
        """``TaxRates``, ``TrackingCategories`` (archived ones and options included),
        ``Currencies`` or ``Organisations`` (from ``/Organisation``), whole."""
        path, params = f"/{collection}", None
        if collection == "TrackingCategories":
            params = {"includeArchived": "true"}
        elif collection == "Organisations":
            path = "/Organisation"
        body = await self._get(organisation_id, path, params)
        return list(body.get(collection) or [])

    # Bills --------------------------------------------------------------------------------

    async def create_bills(
        self, organisation_id: UUID, bills: Sequence[Json], key: str
    ) -> list[Json]:
        """One call for up to 50 bills; each element comes back with its own outcome."""
        response = await self._send(
            organisation_id,
            "PUT",
            "/Invoices",
            params={"summarizeErrors": "false", **FOUR_PLACES},
            json={"Invoices": list(bills)},
            idempotency_key=key,
        )
        return list(response.json()["Invoices"])

    async def bills_numbered(
        self, organisation_id: UUID, invoice_number: str, contact_id: UUID
    ) -> list[Json]:
        body = await self._get(
            organisation_id,
            "/Invoices",
            {
                "InvoiceNumbers": invoice_number,
                "ContactIDs": str(contact_id),
                "where": 'Type=="ACCPAY"',
                **FOUR_PLACES,
            },
        )
        return list(body.get("Invoices") or [])

    async def bill(self, organisation_id: UUID, invoice_id: UUID) -> Json:
        body = await self._get(organisation_id, f"/Invoices/{invoice_id}", FOUR_PLACES)
        return dict(body["Invoices"][0])

    async def update_bill(
        self, organisation_id: UUID, invoice_id: UUID, changes: Json, key: str
    ) -> Json:
        """Changes a bill in Xero (``POST /Invoices/{id}``): its status, its lines' coding."""
        path = f"/Invoices/{invoice_id}"
        return await self._write_one(
            organisation_id, "POST", path, changes, key, params=FOUR_PLACES
        )

    # Attachments (on "Invoices" or "BankTransactions") --------------------------------------

    async def attachments(self, organisation_id: UUID, record: str, record_id: UUID) -> list[Json]:
        body = await self._get(organisation_id, f"/{record}/{record_id}/Attachments")
        return list(body.get("Attachments") or [])

    async def attach(
        self,
        organisation_id: UUID,
        record: str,
        record_id: UUID,
        file_name: str,
        content: bytes,
        media_type: str,
        key: str,
    ) -> Json:
        response = await self._send(
            organisation_id,
            "PUT",
            f"/{record}/{record_id}/Attachments/{quote(file_name, safe='')}",
            content=content,
            headers={"Content-Type": media_type},
            idempotency_key=key,
        )
        return dict(response.json()["Attachments"][0])

    # History and notes (on a bill) ----------------------------------------------------------

    async def history(self, organisation_id: UUID, invoice_id: UUID) -> list[Json]:
        """The bill's history records, Xero's own and the notes added, newest first."""
        body = await self._get(organisation_id, f"/Invoices/{invoice_id}/History")
        return list(body.get("HistoryRecords") or [])

    async def add_notes(
        self, organisation_id: UUID, invoice_id: UUID, notes: Sequence[str], key: str
    ) -> list[Json]:
        """Adds the notes in one call; Xero takes them all or refuses them all."""
        response = await self._send(
            organisation_id,
            "PUT",
            f"/Invoices/{invoice_id}/History",
            json={"HistoryRecords": [{"Details": note} for note in notes]},
            idempotency_key=key,
        )
        return list(response.json()["HistoryRecords"])

    # Payments and bank transactions ---------------------------------------------------------

    async def create_payment(self, organisation_id: UUID, payment: Json, key: str) -> Json:
        return await self._write_one(organisation_id, "PUT", "/Payments", payment, key)

    async def create_bank_transaction(
        self, organisation_id: UUID, transaction: Json, key: str
    ) -> Json:
        return await self._write_one(
            organisation_id, "PUT", "/BankTransactions", transaction, key, params=FOUR_PLACES
        )

    async def bank_transactions_where(self, organisation_id: UUID, where: str) -> list[Json]:
        body = await self._get(organisation_id, "/BankTransactions", {"where": where})
        return list(body.get("BankTransactions") or [])
