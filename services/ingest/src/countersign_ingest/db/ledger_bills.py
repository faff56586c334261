"""The bills in the organisation's Xero (migration 0007, ADR 0056): kept from ledger.bills.v1,
the newest state by Xero's clock, with the folded keys of ``domain.duplicates``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_ingest.db import Repository
from countersign_ingest.domain.duplicates import DuplicateKeys

__all__ = ["LedgerBills"]


class LedgerBills(Repository):
    async def keep(
        self,
        organisation_id: UUID,
        xero_invoice_id: UUID,
        invoice_number: str,
        contact_name: str,
        xero_status: str,
        publication_id: UUID | None,
        keys: DuplicateKeys,
        xero_updated_at: datetime,
    ) -> None:
        """Keeps the bill as announced unless a newer state (or its removal) is kept already."""
        await self._conn.execute(
            "INSERT INTO ledger_bills (organisation_id, xero_invoice_id, invoice_number,"
            " contact_name, xero_status, publication_id, reference_key, amount_key,"
            " xero_updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (organisation_id, xero_invoice_id) DO UPDATE SET"
            " invoice_number = excluded.invoice_number, contact_name = excluded.contact_name,"
            " xero_status = excluded.xero_status, publication_id = excluded.publication_id,"
            " removed = false, reference_key = excluded.reference_key,"
            " amount_key = excluded.amount_key, xero_updated_at = excluded.xero_updated_at"
            " WHERE ledger_bills.xero_updated_at < excluded.xero_updated_at",
            organisation_id,
            xero_invoice_id,
            invoice_number,
            contact_name,
            xero_status,
            publication_id,
            keys.reference,
            keys.amount,
            xero_updated_at,
        )

    async def remove(
        self, organisation_id: UUID, xero_invoice_id: UUID, xero_status: str, at: datetime
    ) -> None:
        """Marks the bill removed (kept, so a late older announcement cannot bring it back)."""
        await self._conn.execute(
            "INSERT INTO ledger_bills (organisation_id, xero_invoice_id, invoice_number,"
            " contact_name, xero_status, removed, xero_updated_at)"
            " VALUES ($1, $2, '', '', $3, true, $4)"
            " ON CONFLICT (organisation_id, xero_invoice_id) DO UPDATE SET removed = true,"
            " xero_status = excluded.xero_status, reference_key = NULL, amount_key = NULL,"
            " xero_updated_at = excluded.xero_updated_at"
            " WHERE ledger_bills.xero_updated_at < excluded.xero_updated_at",
            organisation_id,
            xero_invoice_id,
            xero_status,
            at,
        )

    async def matching(
        self, organisation_id: UUID, keys: DuplicateKeys
    ) -> list[tuple[UUID, str, str, bool, bool]]:
        """(invoice id, number, supplier, same reference, same date and amount) for each bill
        entered in Xero, not removed, that shares a key (the partial indexes' condition)."""
        if keys.reference is None and keys.amount is None:
            return []
        rows = await self._conn.fetch(
            "SELECT xero_invoice_id, invoice_number, contact_name,"
            " coalesce(reference_key = $2, false) AS by_reference,"
            " coalesce(amount_key = $3, false) AS by_amount FROM ledger_bills"
            " WHERE organisation_id = $1 AND (reference_key = $2 OR amount_key = $3)"
            " AND NOT removed AND publication_id IS NULL",
            organisation_id,
            keys.reference,
            keys.amount,
        )
        return [
            (r["xero_invoice_id"], r["invoice_number"], r["contact_name"], r["by_reference"],
             r["by_amount"])
            for r in rows
        ]  # fmt: skip
