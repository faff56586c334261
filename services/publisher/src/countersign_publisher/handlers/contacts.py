"""Which Xero contact a bill goes to, and the supplier list kept in sync.

Resolving a supplier: its Xero ContactID when Dext matched one; else an exact (case-insensitive)
name match among active contacts — first in our synced cache, then in Xero; else a new contact.
Names are compared as Xero stores them: trimmed.

Supplier sync pages through the contacts changed since the last sync (``If-Modified-Since``) and
emits ``SupplierSynced`` for every supplier among them. Xero does not bump ``UpdatedDateUTC``
when a contact becomes a supplier, so that moment is reported by the publisher itself, in the
transaction that records the contact's first bill.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from countersign_contracts import Supplier
from countersign_platform.telemetry import log_context

from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_errors import XeroError, XeroValidationError
from countersign_publisher.adapters.xero_mapping import Json, parse_xero_datetime, xero_contact_name
from countersign_publisher.db.connections import Connections
from countersign_publisher.db.contacts import Contacts, SupplierSyncs
from countersign_publisher.handlers.events import Cause, emit_supplier

__all__ = ["ContactDirectory", "SupplierSyncPass"]

log = logging.getLogger(__name__)


class ContactDirectory:
    def __init__(self, pool: asyncpg.Pool, xero: XeroClient) -> None:
        self._pool = pool
        self._xero = xero

    async def _remember(self, organisation_id: UUID, contact: Json) -> UUID:
        contact_id = UUID(str(contact["ContactID"]))
        async with self._pool.acquire() as conn:
            await Contacts(conn).upsert(
                organisation_id,
                contact_id,
                str(contact.get("Name") or ""),
                str(contact.get("ContactStatus") or "ACTIVE"),
                contact,
                parse_xero_datetime(contact.get("UpdatedDateUTC")),
            )
        return contact_id

    async def resolve(self, organisation_id: UUID, supplier: Supplier, key: str) -> UUID:
        name = xero_contact_name(supplier.name)
        async with self._pool.acquire() as conn:
            if supplier.xero_contact_id is not None:
                known = await Contacts(conn).details(organisation_id, supplier.xero_contact_id)
                if known:
                    return supplier.xero_contact_id
            else:
                cached = await Contacts(conn).named(organisation_id, name)
                if cached is not None:
                    return cached
        if supplier.xero_contact_id is not None:
            # Fetched once, so the supplier event of its first bill can name it.
            return await self._remember(
                organisation_id, await self._xero.contact(organisation_id, supplier.xero_contact_id)
            )
        for contact in await self._xero.contacts_named(organisation_id, name):
            if contact.get("ContactStatus", "ACTIVE") == "ACTIVE":
                return await self._remember(organisation_id, contact)
        try:
            created = await self._xero.create_contact(organisation_id, name, key)
        except XeroValidationError:
            # Created meanwhile under the same name (another publication): use that one.
            for contact in await self._xero.contacts_named(organisation_id, name):
                if contact.get("ContactStatus", "ACTIVE") == "ACTIVE":
                    return await self._remember(organisation_id, contact)
            raise
        return await self._remember(organisation_id, created)

    async def sync_suppliers(self, organisation_id: UUID) -> int:
        """Pulls contacts changed since the last sync; returns how many supplier events."""
        async with self._pool.acquire() as conn:
            since = await SupplierSyncs(conn).synced_until(organisation_id)
        started = datetime.now(UTC).replace(microsecond=0)
        emitted = 0
        page = 1
        correlation_id = uuid.uuid4()
        while True:
            contacts = await self._xero.contacts_page(organisation_id, page, since)
            async with self._pool.acquire() as conn, conn.transaction():
                for contact in contacts:
                    contact_id = UUID(str(contact["ContactID"]))
                    store = Contacts(conn)
                    was_supplier = await store.is_supplier(organisation_id, contact_id)
                    seen_version = await store.updated_at(organisation_id, contact_id)
                    updated = parse_xero_datetime(contact.get("UpdatedDateUTC"))
                    is_supplier = bool(contact.get("IsSupplier")) or was_supplier
                    # A full sync reports every supplier; an incremental one only what changed
                    # (If-Modified-Since may repeat contacts changed in the boundary second).
                    changed = (
                        since is None
                        or not was_supplier
                        or seen_version is None
                        or (updated is not None and updated > seen_version)
                    )
                    await store.upsert(
                        organisation_id,
                        contact_id,
                        str(contact.get("Name") or ""),
                        str(contact.get("ContactStatus") or "ACTIVE"),
                        contact,
                        updated,
                        is_supplier,
                    )
                    if is_supplier and changed:
                        await emit_supplier(conn, contact, Cause(organisation_id, correlation_id))
                        emitted += 1
            if len(contacts) < 100:
                break
            page += 1
        async with self._pool.acquire() as conn:
            await SupplierSyncs(conn).advance(organisation_id, started)
        return emitted


class SupplierSyncPass:
    """The worker's second pass: every connected organisation's suppliers, once per
    ``interval_s`` (and on demand through the API). One organisation's failure is logged and
    does not stop the others."""

    def __init__(self, pool: asyncpg.Pool, contacts: ContactDirectory, interval_s: float) -> None:
        self._pool = pool
        self._contacts = contacts
        self._interval_s = interval_s
        self._next = 0.0

    async def run_when_due(self) -> None:
        if time.monotonic() < self._next:
            return
        self._next = time.monotonic() + self._interval_s
        async with self._pool.acquire() as conn:
            connected = await Connections(conn).all()
        for connection in connected:
            with log_context(organisation_id=connection.organisation_id):
                try:
                    await self._contacts.sync_suppliers(connection.organisation_id)
                except XeroError as error:
                    log.warning("supplier sync failed: %s", error)
