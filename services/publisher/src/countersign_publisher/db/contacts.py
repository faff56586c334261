"""SQL of ledger contacts (a cache of the organisation's contacts or vendors, and which are
suppliers) and of supplier syncs (how far each organisation's contacts have been pulled).
Contacts are keyed by their ledger id, as text; a Xero contact's id is kept as a uuid too
(``xero_contact_id``, for older readers; ADR 0068)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import Ledger
from countersign_platform import decimal_json

__all__ = ["Contacts", "SupplierSyncs"]


class Contacts:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def named(self, organisation_id: UUID, name: str) -> str | None:
        """The active contact of that name (as Xero compares names: without regard to case)."""
        contact_id: str | None = await self._conn.fetchval(
            "SELECT ledger_contact_id FROM contacts"
            " WHERE organisation_id = $1 AND lower(name) = lower($2) AND status = 'ACTIVE'",
            organisation_id,
            name,
        )
        return contact_id

    async def upsert(
        self,
        organisation_id: UUID,
        ledger: Ledger,
        contact_id: str,
        name: str,
        status: str,
        details: dict[str, Any],
        updated_at: datetime | None,
        is_supplier: bool | None = None,
    ) -> bool:
        """Stores the contact of the organisation's ``ledger``; True when it has just become a
        supplier."""
        was = await self.is_supplier(organisation_id, contact_id)
        await self._conn.execute(
            "INSERT INTO contacts (organisation_id, ledger_contact_id, xero_contact_id, name,"
            " status, details, xero_updated_at, is_supplier)"
            " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, coalesce($8, false))"
            " ON CONFLICT (organisation_id, ledger_contact_id) DO UPDATE SET"
            " xero_contact_id = EXCLUDED.xero_contact_id, name = EXCLUDED.name,"
            " status = EXCLUDED.status, details = EXCLUDED.details,"
            " xero_updated_at = EXCLUDED.xero_updated_at,"
            " is_supplier = contacts.is_supplier OR coalesce($8, false)",
            organisation_id,
            contact_id,
            UUID(contact_id) if ledger is Ledger.XERO else None,
            name,
            status,
            decimal_json.dumps(details).decode(),
            updated_at,
            is_supplier,
        )
        return bool(is_supplier) and not was

    async def _column(self, organisation_id: UUID, contact_id: str, column: str) -> Any:
        # ``column`` is one of the names below, never input.
        return await self._conn.fetchval(
            f"SELECT {column} FROM contacts WHERE organisation_id = $1 AND ledger_contact_id = $2",
            organisation_id,
            contact_id,
        )

    async def is_supplier(self, organisation_id: UUID, contact_id: str) -> bool:
        return bool(await self._column(organisation_id, contact_id, "is_supplier"))

    async def updated_at(self, organisation_id: UUID, contact_id: str) -> datetime | None:
        value: datetime | None = await self._column(organisation_id, contact_id, "xero_updated_at")
        return value

    async def details(self, organisation_id: UUID, contact_id: str) -> dict[str, Any]:
        value = await self._column(organisation_id, contact_id, "details")
        return {} if value is None else dict(decimal_json.loads(value))


class SupplierSyncs:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def synced_until(self, organisation_id: UUID) -> datetime | None:
        value: datetime | None = await self._conn.fetchval(
            "SELECT synced_until FROM supplier_syncs WHERE organisation_id = $1", organisation_id
        )
        return value

    async def advance(self, organisation_id: UUID, until: datetime) -> None:
        await self._conn.execute(
            "INSERT INTO supplier_syncs (organisation_id, synced_until) VALUES ($1, $2)"
            " ON CONFLICT (organisation_id) DO UPDATE SET synced_until = EXCLUDED.synced_until",
            organisation_id,
            until,
        )
