"""SQL of bypass detection (migration 0009): the organisation's start date, the publications a
bill may have been made by, and the bills reported (once each, once per repeating template)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import asyncpg

from countersign_publisher.domain.bypass import PublicationMark

__all__ = ["BypassedBills"]


class BypassedBills:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def start_date(self, organisation_id: UUID) -> date | None:
        """The organisation's start date: its own, else the day it first connected Xero
        (UTC); None when it never connected."""
        day: date | None = await self._conn.fetchval(
            "SELECT COALESCE(s.bypass_detection_from,"
            " (c.first_connected_at AT TIME ZONE 'UTC')::date) FROM xero_connections c"
            " LEFT JOIN organisation_settings s USING (organisation_id)"
            " WHERE c.organisation_id = $1",
            organisation_id,
        )
        return day

    async def publications(
        self, organisation_id: UUID, invoice_id: UUID, marked: UUID | None
    ) -> list[PublicationMark]:
        """The organisation's bill publications holding ``invoice_id``, and the one the bill's
        Url names (``marked``), with their lookup keys. A bill pulled from Xero (ADR 0058) is
        held from the moment its publication sent the call that authorises it."""
        rows = await self._conn.fetch(
            "SELECT publication_id, coalesce(xero_invoice_id, CASE WHEN 'authorise_bill' ="
            " ANY(sent_steps) THEN (document->>'xero_invoice_id')::uuid END) AS xero_invoice_id,"
            " xero_contact_id,"
            " coalesce(document->'bill'->>'document_reference', '') AS invoice_number,"
            " coalesce(document->'bill'->>'source_url', '') AS source_url"
            " FROM publications WHERE organisation_id = $1 AND kind = 'bill'"
            " AND (xero_invoice_id = $2 OR publication_id = $3 OR ('authorise_bill' ="
            " ANY(sent_steps) AND document->>'xero_invoice_id' = $2::text))",
            organisation_id,
            invoice_id,
            marked,
        )
        return [PublicationMark(**dict(row)) for row in rows]

    async def record(
        self,
        organisation_id: UUID,
        invoice_id: UUID,
        repeating_invoice_id: UUID | None,
        xero_updated_at: datetime,
    ) -> bool:
        """Records the bill as reported; False when it (or its repeating template) already
        was, in which case nothing is to be reported."""
        added = await self._conn.fetchval(
            "INSERT INTO bypassed_bills"
            " (organisation_id, xero_invoice_id, repeating_invoice_id, xero_updated_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true",
            organisation_id,
            invoice_id,
            repeating_invoice_id,
            xero_updated_at,
        )
        return bool(added)
