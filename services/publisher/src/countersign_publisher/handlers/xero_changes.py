"""Changes in Xero, after the webhook request answered (ADR 0053).

POST /v1/xero/webhooks ─▶ record_events: each event a row, in one transaction (a duplicate
    records nothing: the row's unique key); the commit's NOTIFY wakes the watcher
ChangeWatcher pass ─▶ claim due events (leased) ─▶ the tenant's organisation (none: done)
    ─▶ no later than the state kept? done, nothing fetched (a reordered or repeated event)
    ─▶ GET Invoices/{id} or Contacts/{id} ─▶ observe ─▶ done; Xero unavailable: again after
       a backoff, given up after ``max_attempts``
    ─▶ then the polling fallback when due (``xero_polls.py``), which observes too
observe ─▶ newer than the state kept (Xero's UpdatedDateUTC)? kept, and ``FOLLOWERS`` run
    in that transaction; else nothing
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg
from countersign_platform.loops import BackgroundLoop, Connect
from countersign_platform.organisation_status import is_suspended
from countersign_platform.telemetry import log_context

from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_errors import XeroError, XeroNotFound
from countersign_publisher.adapters.xero_mapping import parse_xero_datetime
from countersign_publisher.db.xero_changes import ChangeEvents, ClaimedEvent, Resources
from countersign_publisher.domain.xero_changes import (
    ID_FIELDS,
    ChangeEvent,
    ObservedChange,
    older_than_seen,
    stored_form,
)
from countersign_publisher.handlers.bill_changes import compare_with_approved
from countersign_publisher.handlers.bypass import report_bypass
from countersign_publisher.handlers.ledger_bills import announce_bill
from countersign_publisher.handlers.pulled_bills import pull_submitted

__all__ = ["FOLLOWERS", "ChangeWatcher", "observe", "record_events"]

log = logging.getLogger(__name__)

Follower = Callable[[asyncpg.Connection, ObservedChange], Awaitable[None]]

FOLLOWERS: tuple[Follower, ...] = (
    compare_with_approved,
    report_bypass,
    announce_bill,
    pull_submitted,
)
"""What reacts to a newer state of an invoice or contact, in the transaction that keeps it:
a bill Countersign published compared with what was approved (``bill_changes.py``, ADR 0054);
a bill approved in Xero that no publication made, reported (``bypass.py``, ADR 0055); every
bill announced when a field ingest's duplicate rules read moves (``ledger_bills.py``, ADR 0056);
a bill submitted in Xero, pulled for approval in the via-Xero mode (``pulled_bills.py``, ADR 0058).
``ObservedChange.previous`` is what was kept before."""


async def record_events(pool: asyncpg.Pool, events: list[ChangeEvent]) -> int:
    """Records a delivery's events in one transaction; how many were new."""
    async with pool.acquire() as conn, conn.transaction():
        return await ChangeEvents(conn).record(events)


async def observe(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    category: str,
    resource: dict[str, Any],
    seen_by: str,
) -> bool:
    """Keeps ``resource`` when it is newer than the state kept; True when it was."""
    updated = parse_xero_datetime(resource.get("UpdatedDateUTC"))
    if updated is None:
        return False
    resource_id = UUID(str(resource[ID_FIELDS[category]]))
    resource = stored_form(resource)
    async with conn.transaction():
        store = Resources(conn)
        previous = await store.seen(organisation_id, category, resource_id, for_update=True)
        if previous is not None and previous.xero_updated_at >= updated:
            return False
        await store.keep(organisation_id, category, resource_id, updated, resource, seen_by)
        change = ObservedChange(
            organisation_id,
            category,
            resource_id,
            None if previous is None else previous.state,
            resource,
            seen_by,
        )
        for follower in FOLLOWERS:
            await follower(conn, change)
    return True


class ChangeWatcher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        xero: XeroClient,
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
        self._xero = xero
        self._poll = poll
        self._claim_size = claim_size
        self._lease_s = lease_s
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._kept_s = kept_s
        self._purge_after = 0.0
        self._loop = BackgroundLoop(
            "xero-changes",
            self._pass,
            interval_s=interval_s,
            channel=f"xero_changes_{schema}",
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
        after that is recognised by the state kept: ``older_than_seen``, no Xero call)."""
        if time.monotonic() < self._purge_after:
            return
        self._purge_after = time.monotonic() + min(self._kept_s, 3600.0)
        async with self._pool.acquire() as conn:
            purged = await ChangeEvents(conn).purge(self._kept_s)
        if purged:
            log.info("xero changes: %d worked events deleted (kept %.0f s)", purged, self._kept_s)

    async def process_due(self) -> bool:
        """Works the due events; True when a full claim suggests there are more."""
        async with self._pool.acquire() as conn:
            claimed = await ChangeEvents(conn).claim(self._claim_size, self._lease_s)
        for item in claimed:
            with log_context(tenant_id=item.event.tenant_id, change_id=item.change_id):
                await self._process(item)
        return len(claimed) == self._claim_size

    async def _process(self, item: ClaimedEvent) -> None:
        event = item.event
        async with self._pool.acquire() as conn:
            events = ChangeEvents(conn)
            organisation_id = await events.organisation_of(event.tenant_id)
            if organisation_id is None:
                await events.finish(item.change_id, "no_organisation", None)
                return
            if await is_suspended(conn, organisation_id):
                # Its syncs stop (ADR 0046); the first poll after reactivation catches up.
                await events.finish(item.change_id, "suspended", organisation_id)
                return
            seen = await Resources(conn).seen(organisation_id, event.category, event.resource_id)
            if older_than_seen(event.event_date, None if seen is None else seen.xero_updated_at):
                await events.finish(item.change_id, "older_than_seen", organisation_id)
                return
        try:
            resource = await self._fetch(organisation_id, event)
        except XeroNotFound:
            await self._finish(item.change_id, "gone", organisation_id)
            return
        except XeroError as error:
            await self._failed(item, error)
            return
        async with self._pool.acquire() as conn, conn.transaction():
            kept = await observe(conn, organisation_id, event.category, resource, "webhook")
            outcome = "kept" if kept else "unchanged"
            await ChangeEvents(conn).finish(item.change_id, outcome, organisation_id)

    async def _fetch(self, organisation_id: UUID, event: ChangeEvent) -> dict[str, Any]:
        if event.category == "INVOICE":
            return await self._xero.bill(organisation_id, event.resource_id)
        return await self._xero.contact(organisation_id, event.resource_id)

    async def _finish(self, change_id: int, outcome: str, organisation_id: UUID | None) -> None:
        async with self._pool.acquire() as conn:
            await ChangeEvents(conn).finish(change_id, outcome, organisation_id)

    async def _failed(self, item: ClaimedEvent, error: XeroError) -> None:
        async with self._pool.acquire() as conn:
            events = ChangeEvents(conn)
            if item.attempts >= self._max_attempts:
                log.warning("xero change given up after %d tries: %s", item.attempts, error)
                await events.postpone(item.change_id, 0, str(error))
                await events.finish(item.change_id, "failed", None)
                return
            delay = self._backoff_s * 2 ** (item.attempts - 1)
            await events.postpone(item.change_id, delay, str(error))
