"""Changes in a ledger, after the webhook request answered (ADRs 0053, 0072).

POST /v1/xero/webhooks, /v1/qbo/webhooks ─▶ record_events: each event a row of its ledger's
    table, in one transaction (a duplicate records nothing: the row's unique key); the commit's
    NOTIFY wakes the watcher
ChangeWatcher pass ─▶ for each ledger's ``ChangeSource``: claim due events (leased) ─▶ the
    tenant's (realm's) organisation (none: done)
    ─▶ no later than the state kept? done, nothing fetched (a reordered or repeated event)
    ─▶ the source fetches the record ─▶ the source observes it ─▶ done; the ledger
       unavailable: again after a backoff, given up after ``max_attempts``
    ─▶ then the polling fallback when due (``xero_polls.py``), which observes too
observe ─▶ newer than the state kept (the ledger's update time)? kept, and the source's
    followers run in that transaction; else nothing

Xero's source is ``XeroChanges`` (``xero_changes.py``); QBO's ``QboChangeSource``
(``qbo_changes.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import asyncpg
from countersign_platform.loops import BackgroundLoop, Connect
from countersign_platform.organisation_status import is_suspended
from countersign_platform.telemetry import log_context

from countersign_publisher.db.xero_changes import (
    XERO_TABLES,
    ChangeEvents,
    ChangeTables,
    ClaimedEvent,
    Resources,
)
from countersign_publisher.domain.xero_changes import ChangeEvent, ObservedChange, older_than_seen
from countersign_publisher.ledger.errors import LedgerError, LedgerNotFound

__all__ = ["ChangeSource", "ChangeWatcher", "Follower", "keep_newer", "record_events"]

log = logging.getLogger(__name__)

Json = dict[str, Any]
Follower = Callable[[asyncpg.Connection, ObservedChange], Awaitable[None]]


class ChangeSource(Protocol):
    """One ledger's side of change detection: its tables, how a record an event names is read
    and kept, and the poll's collections read page by page."""

    tables: ChangeTables
    collections: tuple[str, ...]

    async def fetch(self, organisation_id: UUID, event: ChangeEvent) -> Json:
        """The record now (``LedgerNotFound``: gone; another ``LedgerError``: try later)."""
        ...

    async def observe(
        self,
        conn: asyncpg.Connection,
        organisation_id: UUID,
        collection: str,
        record: Json,
        seen_by: str,
    ) -> bool: ...

    def pages(
        self, organisation_id: UUID, collection: str, since: datetime | None
    ) -> AsyncIterator[list[Json]]: ...

    def updated(self, record: Json) -> datetime | None: ...


async def record_events(
    pool: asyncpg.Pool, events: list[ChangeEvent], tables: ChangeTables = XERO_TABLES
) -> int:
    """Records a delivery's events in one transaction; how many were new."""
    async with pool.acquire() as conn, conn.transaction():
        return await ChangeEvents(conn, tables).record(events)


async def keep_newer(
    conn: asyncpg.Connection,
    tables: ChangeTables,
    followers: Sequence[Follower],
    change: ObservedChange,
    key: UUID | str,
    updated: datetime,
) -> bool:
    """Keeps ``change.current`` (the row ``key``) when newer than the state kept, and runs
    ``followers`` with the state kept before, in one transaction; True when it was newer."""
    org, category = change.organisation_id, change.category
    async with conn.transaction():
        store = Resources(conn, tables)
        previous = await store.seen(org, category, key, for_update=True)
        if previous is not None and previous.updated_at >= updated:
            return False
        await store.keep(org, category, key, updated, change.current, change.seen_by)
        seen = ObservedChange(
            org,
            category,
            change.resource_id,
            None if previous is None else previous.state,
            change.current,
            change.seen_by,
        )
        for follower in followers:
            await follower(conn, seen)
    return True


class ChangeWatcher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        sources: Sequence[ChangeSource],
        *,
        poll: Callable[[], Awaitable[None]],
        claim_size: int,
        lease_s: float,
        max_attempts: int,
        kept_s: float,
        backoff_s: float,
        interval_s: float,
        schema: str,
        connect: Connect,
    ) -> None:
        self._pool = pool
        self._sources = tuple(sources)
        self._poll = poll
        self._claim_size = claim_size
        self._lease_s = lease_s
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._kept_s = kept_s
        self._purge_after = 0.0
        self._loop = BackgroundLoop(
            "ledger-changes",
            self._pass,
            interval_s=interval_s,
            channel=f"xero_changes_{schema}",  # both ledgers' event tables notify it
            connect=connect,
        )

    async def start(self) -> None:
        await self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def _pass(self) -> bool:
        more = await self.process_due()
        await self._poll()
        await self._purge_when_due()
        return more

    async def _purge_when_due(self) -> None:
        """Worked events older than ``kept_s`` deleted, at most hourly (a repeat delivered
        after that is recognised by the state kept: ``older_than_seen``, no ledger call)."""
        if time.monotonic() < self._purge_after:
            return
        self._purge_after = time.monotonic() + min(self._kept_s, 3600.0)
        for source in self._sources:
            async with self._pool.acquire() as conn:
                purged = await ChangeEvents(conn, source.tables).purge(self._kept_s)
            if purged:
                ledger = source.tables.ledger
                log.info("%s changes: %d worked events deleted", ledger, purged)

    async def process_due(self) -> bool:
        """Works each ledger's due events; True when a full claim suggests there are more."""
        more = False
        for source in self._sources:
            async with self._pool.acquire() as conn:
                events = ChangeEvents(conn, source.tables)
                claimed = await events.claim(self._claim_size, self._lease_s)
            for item in claimed:
                with log_context(tenant_id=item.event.tenant_id, change_id=item.change_id):
                    await self._process(source, item)
            more = more or len(claimed) == self._claim_size
        return more

    async def _process(self, source: ChangeSource, item: ClaimedEvent) -> None:
        event, tables = item.event, source.tables
        async with self._pool.acquire() as conn:
            events = ChangeEvents(conn, tables)
            organisation_id = await events.organisation_of(event.tenant_id)
            if organisation_id is None:
                await events.finish(item.change_id, "no_organisation", None)
                return
            if await is_suspended(conn, organisation_id):
                # Its syncs stop (ADR 0046); the first poll after reactivation catches up.
                await events.finish(item.change_id, "suspended", organisation_id)
                return
            store = Resources(conn, tables)
            seen = await store.seen(organisation_id, event.category, event.resource_id)
            if older_than_seen(event.event_date, None if seen is None else seen.updated_at):
                await events.finish(item.change_id, "older_than_seen", organisation_id)
                return
        try:
            record = await source.fetch(organisation_id, event)
        except LedgerNotFound:
            await self._finish(tables, item.change_id, "gone", organisation_id)
            return
        except LedgerError as error:
            await self._failed(tables, item, error)
            return
        async with self._pool.acquire() as conn, conn.transaction():
            kept = await source.observe(conn, organisation_id, event.category, record, "webhook")
            outcome = "kept" if kept else "unchanged"
            await ChangeEvents(conn, tables).finish(item.change_id, outcome, organisation_id)

    async def _finish(
        self, tables: ChangeTables, change_id: int, outcome: str, organisation_id: UUID | None
    ) -> None:
        async with self._pool.acquire() as conn:
            await ChangeEvents(conn, tables).finish(change_id, outcome, organisation_id)

    async def _failed(self, tables: ChangeTables, item: ClaimedEvent, error: LedgerError) -> None:
        async with self._pool.acquire() as conn:
            events = ChangeEvents(conn, tables)
            if item.attempts >= self._max_attempts:
                log.warning("%s change given up after %d tries: %s", tables.ledger, item.attempts,
                            error)  # fmt: skip
                await events.postpone(item.change_id, 0, str(error))
                await events.finish(item.change_id, "failed", None)
                return
            delay = self._backoff_s * 2 ** (item.attempts - 1)
            await events.postpone(item.change_id, delay, str(error))
