"""Which ledger contact (Xero) or vendor (QBO) a bill goes to, and the supplier list kept in
sync, through the ledger port (ADR 0065).

Resolving a supplier: its ledger id when Dext matched one; else an exact (case-insensitive)
name match among active contacts — first in our synced cache, then in the ledger; else a new
contact. Names are compared as the ledger stores them (Xero: trimmed).

Supplier sync pages through the contacts changed since the last sync (Xero: ``If-Modified-Since``)
and emits ``SupplierSynced`` for every supplier among them. Xero does not bump ``UpdatedDateUTC``
when a contact becomes a supplier, so that moment is reported by the publisher itself, in the
transaction that records the contact's first bill (``became_supplier``).
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from countersign_contracts import Ledger, Supplier
from countersign_platform.telemetry import log_context

from countersign_publisher.db.connections import Connections
from countersign_publisher.db.contacts import Contacts, SupplierSyncs
from countersign_publisher.handlers.events import Cause, emit_supplier
from countersign_publisher.ledger.errors import LedgerError, LedgerRefused
from countersign_publisher.ledger.ledgers import Ledgers
from countersign_publisher.ledger.values import LedgerContact, LedgerId

__all__ = ["ContactDirectory", "SupplierSyncPass"]

log = logging.getLogger(__name__)


class ContactDirectory:
    def __init__(self, pool: asyncpg.Pool, ledgers: Ledgers) -> None:
        self._pool = pool
        self._ledgers = ledgers

    async def _remember(
        self, organisation_id: UUID, ledger: Ledger, contact: LedgerContact
    ) -> LedgerId:
        contact_id = contact.contact_id
        async with self._pool.acquire() as conn:
            await Contacts(conn).upsert(
                organisation_id,
                ledger,
                contact_id,
                contact.name,
                contact.status,
                contact.details,
                contact.updated_at,
            )
        return contact_id

    async def resolve(
        self, organisation_id: UUID, ledger: Ledger, supplier: Supplier, key: str
    ) -> LedgerId:
        """The id of the organisation's contact (in its ``ledger``) the supplier is. Outside
        Xero a matched ``xero_contact_id`` is a ``ledger_uuid``, which names no record there:
        the supplier is found by its name (ADR 0068)."""
        port = self._ledgers.of(ledger)
        name = port.contact_name(supplier.name)
        xero_match = ledger is Ledger.XERO and supplier.xero_contact_id is not None
        matched = str(supplier.xero_contact_id) if xero_match else None
        async with self._pool.acquire() as conn:
            if matched is not None:
                known = await Contacts(conn).details(organisation_id, matched)
                if known:
                    return matched
            else:
                cached = await Contacts(conn).named(organisation_id, name)
                if cached is not None:
                    return cached
        if matched is not None:
            # Fetched once, so the supplier event of its first bill can name it.
            contact = await port.contact(organisation_id, matched)
            return await self._remember(organisation_id, ledger, contact)
        for contact in await port.contacts_named(organisation_id, name):
            return await self._remember(organisation_id, ledger, contact)
        try:
            created = await port.create_contact(organisation_id, name, key)
        except LedgerRefused:
            # Created meanwhile under the same name (another publication): use that one.
            for contact in await port.contacts_named(organisation_id, name):
                return await self._remember(organisation_id, ledger, contact)
            raise
        return await self._remember(organisation_id, ledger, created)

    async def became_supplier(
        self,
        conn: asyncpg.Connection,
        organisation_id: UUID,
        contact_id: LedgerId,
        name: str,
        cause: Cause,
    ) -> None:
        """Called in the transaction that stores a contact's bill: on its first bill the contact
        is a supplier from now on, and reported as one."""
        contacts = Contacts(conn)
        details = await contacts.details(organisation_id, contact_id)
        if not details:
            return
        port = self._ledgers.of(cause.ledger)
        cached = port.cached_contact(details)
        if await contacts.upsert(
            organisation_id,
            cause.ledger,
            contact_id,
            cached.name or name,
            cached.status,
            details,
            None,
            is_supplier=True,
        ):
            await emit_supplier(conn, port.supplier(organisation_id, details), cause)

    async def sync_suppliers(self, organisation_id: UUID) -> int:
        """Pulls contacts changed since the last sync; returns how many supplier events."""
        async with self._pool.acquire() as conn:
            since = await SupplierSyncs(conn).synced_until(organisation_id)
            connection = await Connections(conn).get(organisation_id)
        ledger = Ledger.XERO if connection is None else Ledger(connection.ledger)
        started = datetime.now(UTC).replace(microsecond=0)
        emitted = 0
        page = 1
        cause = Cause(organisation_id, uuid.uuid4(), ledger=ledger)
        while True:
            changed = await self._ledgers.of(ledger).contacts_changed(organisation_id, page, since)
            async with self._pool.acquire() as conn, conn.transaction():
                for contact in changed.contacts:
                    if await self._synced(conn, organisation_id, contact, since, cause):
                        emitted += 1
            if not changed.more:
                break
            page += 1
        async with self._pool.acquire() as conn:
            await SupplierSyncs(conn).advance(organisation_id, started)
        return emitted

    async def _synced(
        self,
        conn: asyncpg.Connection,
        organisation_id: UUID,
        contact: LedgerContact,
        since: datetime | None,
        cause: Cause,
    ) -> bool:
        """Keeps one changed contact; True when it was reported as a supplier."""
        contact_id = contact.contact_id
        store = Contacts(conn)
        was_supplier = await store.is_supplier(organisation_id, contact_id)
        seen_version = await store.updated_at(organisation_id, contact_id)
        updated = contact.updated_at
        is_supplier = contact.is_supplier or was_supplier
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
            cause.ledger,
            contact_id,
            contact.name,
            contact.status,
            contact.details,
            updated,
            is_supplier,
        )
        if is_supplier and changed:
            supplier = self._ledgers.of(cause.ledger).supplier(organisation_id, contact.details)
            await emit_supplier(conn, supplier, cause)
            return True
        return False


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
                except LedgerError as error:
                    log.warning("supplier sync failed: %s", error)
