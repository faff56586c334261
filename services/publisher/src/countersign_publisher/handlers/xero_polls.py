"""The polling fallback for Xero's webhooks: a delivery Xero lost (or one sent while nobody
listened) is caught by the next poll.

    due: each connected, not suspended organisation every ``interval_s`` (claimed, so one
         instance polls it) ─▶ GET Invoices (Type ACCPAY) and Contacts, page by page,
         If-Modified-Since the newest UpdatedDateUTC read before (Xero's clock, not ours)
         ─▶ each record ``observe``d, as a webhook's fetch is ─▶ the newest UpdatedDateUTC kept

Xero answers If-Modified-Since to the second, so what changed in the boundary second comes
back again; ``observe`` keeps only what is newer. The poll reads in a task of its own, so a
slow Xero never holds up the events webhooks bring.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_platform.telemetry import log_context

from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_errors import XeroError
from countersign_publisher.adapters.xero_mapping import parse_xero_datetime
from countersign_publisher.db.xero_changes import ChangePolls
from countersign_publisher.handlers.reading import ReadAside
from countersign_publisher.handlers.xero_changes import observe

__all__ = ["ChangePoll"]

log = logging.getLogger(__name__)

COLLECTIONS = (("Invoices", "INVOICE"), ("Contacts", "CONTACT"))
PAGE = 100


class ChangePoll:
    def __init__(self, pool: asyncpg.Pool, xero: XeroClient, interval_s: float) -> None:
        self._pool = pool
        self._xero = xero
        self._interval_s = interval_s
        self._aside = ReadAside("xero-change-poll", self.run_due, every_s=min(1.0, interval_s))

    async def run_when_due(self) -> None:
        """Starts polling the due organisations, unless a poll still runs."""
        self._aside.start_when_due()

    async def run_due(self) -> int:
        """Polls every organisation due now; how many records were newer than those kept."""
        async with self._pool.acquire() as conn:
            due = await ChangePolls(conn).claim_due(self._interval_s, limit=10)
        kept = 0
        for organisation_id in due:
            with log_context(organisation_id=organisation_id):
                try:
                    kept += await self.poll(organisation_id)
                except (XeroError, ValueError, KeyError) as error:
                    log.warning("xero change poll failed: %s", error)
        return kept

    async def poll(self, organisation_id: UUID) -> int:
        kept = 0
        for collection, category in COLLECTIONS:
            async with self._pool.acquire() as conn:
                since = await ChangePolls(conn).until(organisation_id, collection)
            newest: datetime | None = since
            page = 1
            while True:
                records = await self._xero.changed_page(organisation_id, collection, page, since)
                async with self._pool.acquire() as conn:
                    for record in records:
                        kept += await observe(conn, organisation_id, category, record, "poll")
                        updated = parse_xero_datetime(record.get("UpdatedDateUTC"))
                        if updated is not None and (newest is None or updated > newest):
                            newest = updated
                if len(records) < PAGE:
                    break
                page += 1
            if newest is not None:
                async with self._pool.acquire() as conn:
                    await ChangePolls(conn).advance(organisation_id, collection, newest)
        async with self._pool.acquire() as conn:
            await ChangePolls(conn).polled(organisation_id)
        return kept

    async def stop(self) -> None:
        await self._aside.stop()
