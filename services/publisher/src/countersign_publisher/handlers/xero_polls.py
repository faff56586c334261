"""The polling fallback for the ledgers' webhooks: a delivery the ledger lost (or one sent
while nobody listened) is caught by the next poll.

    due: each organisation connected to the source's ledger, not suspended, every
         ``interval_s`` (claimed, so one instance polls it) ─▶ each collection's records
         changed since the newest update time read before (the ledger's clock, not ours):
         Xero's Invoices and Contacts page by page (If-Modified-Since), QBO's Bills by CDC
         ─▶ each record ``observe``d by its source, as a webhook's fetch is ─▶ the newest
         update time kept

A ledger answers to the second (Xero) or the millisecond (QBO), so what changed at the boundary
comes back again; ``observe`` keeps only what is newer. The poll reads in a task of its own, so
a slow ledger never holds up the events webhooks bring.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_platform.telemetry import log_context

from countersign_publisher.db.xero_changes import ChangePolls
from countersign_publisher.handlers.ledger_changes import ChangeSource
from countersign_publisher.handlers.reading import ReadAside
from countersign_publisher.ledger.errors import LedgerError

__all__ = ["ChangePoll"]

log = logging.getLogger(__name__)


class ChangePoll:
    def __init__(
        self, pool: asyncpg.Pool, sources: Sequence[ChangeSource], interval_s: float
    ) -> None:
        self._pool = pool
        self._sources = {source.tables.ledger: source for source in sources}
        self._interval_s = interval_s
        self._aside = ReadAside("ledger-change-poll", self.run_due, every_s=min(1.0, interval_s))

    async def run_when_due(self) -> None:
        """Starts polling the due organisations, unless a poll still runs."""
        self._aside.start_when_due()

    async def run_due(self) -> int:
        """Polls every organisation due now; how many records were newer than those kept."""
        kept = 0
        for source in self._sources.values():
            async with self._pool.acquire() as conn:
                due = await ChangePolls(conn, source.tables).claim_due(self._interval_s, limit=10)
            for organisation_id in due:
                with log_context(organisation_id=organisation_id):
                    try:
                        kept += await self._poll(source, organisation_id)
                    except (LedgerError, ValueError, KeyError) as error:
                        log.warning("%s change poll failed: %s", source.tables.ledger, error)
        return kept

    async def poll(self, organisation_id: UUID) -> int:
        """Polls the organisation now, with its connection's ledger."""
        async with self._pool.acquire() as conn:
            ledger = await conn.fetchval(
                "SELECT ledger FROM xero_connections WHERE organisation_id = $1", organisation_id
            )
        return await self._poll(self._sources[str(ledger or "xero")], organisation_id)

    async def _poll(self, source: ChangeSource, organisation_id: UUID) -> int:
        kept = 0
        for collection in source.collections:
            async with self._pool.acquire() as conn:
                since = await ChangePolls(conn, source.tables).until(organisation_id, collection)
            newest: datetime | None = since
            async for records in source.pages(organisation_id, collection, since):
                async with self._pool.acquire() as conn:
                    for record in records:
                        kept += await source.observe(
                            conn, organisation_id, collection, record, "poll"
                        )
                        updated = source.updated(record)
                        if updated is not None and (newest is None or updated > newest):
                            newest = updated
            if newest is not None:
                async with self._pool.acquire() as conn:
                    polls = ChangePolls(conn, source.tables)
                    await polls.advance(organisation_id, collection, newest)
        async with self._pool.acquire() as conn:
            await ChangePolls(conn, source.tables).polled(organisation_id)
        return kept

    async def stop(self) -> None:
        await self._aside.stop()
