"""Master data from the ledger (through its port, ADR 0065), published when it changed.

    due: an organisation connects (marked in the connect's transaction, whose NOTIFY wakes the
         worker), every ``interval_s`` after its last sync, or an admin asks (reload)
    sync: ``Ledger.master_data`` (Xero: GET Accounts If-Modified-Since the newest account
          seen: nothing newer, the stored chart is kept; anything newer, the whole chart is
          read again, so a deleted account goes too; TaxRates, TrackingCategories, archived
          included, Currencies, Organisation)
          ─▶ one snapshot ─▶ its hash (without ``synced_at``) differs from the stored one:
          stored and ``LedgerMasterDataSynced`` emitted in one transaction; else only stored

Each call goes through the organisation's ledger budget like any other. A reload reads the
whole chart whatever If-Modified-Since would say.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from countersign_contracts import LedgerMasterDataSynced
from countersign_platform.telemetry import log_context

from countersign_publisher.db.connections import Connections
from countersign_publisher.db.master_data import MasterData, StoredMasterData
from countersign_publisher.domain.master_data import (
    MasterDataCounts,
    NotConnected,
    content_hash,
    counts,
)
from countersign_publisher.handlers.events import Cause, emit_master_data
from countersign_publisher.handlers.reading import ReadAside
from countersign_publisher.ledger.errors import LedgerError
from countersign_publisher.ledger.ledgers import Ledgers

__all__ = ["MasterDataSync", "MasterDataSyncPass", "Synced"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Synced:
    counts: MasterDataCounts
    emitted: bool
    synced_at: datetime | None = None


class MasterDataSync:
    def __init__(self, pool: asyncpg.Pool, ledgers: Ledgers) -> None:
        self._pool = pool
        self._ledgers = ledgers

    async def stored(self, organisation_id: UUID) -> StoredMasterData | None:
        async with self._pool.acquire() as conn:
            return await MasterData(conn).get(organisation_id)

    async def sync(self, organisation_id: UUID, *, full: bool = False) -> Synced:
        """Reads the organisation's master data from the ledger; emits it when it changed.
        Raises ``NotConnected``, and ``LedgerError`` when the ledger did not answer."""
        async with self._pool.acquire() as conn:
            connection = await Connections(conn).get(organisation_id)
            stored = await MasterData(conn).get(organisation_id)
        if connection is None or connection.status != "connected":
            raise NotConnected(f"organisation {organisation_id} has no working ledger connection")
        # To the microsecond: consumers keep the latest read, and two reads may share a second.
        synced_at = datetime.now(UTC)
        since = (
            None
            if full or stored is None or stored.snapshot is None
            else stored.accounts_changed_at
        )
        read = await self._ledgers.of(connection.ledger).master_data(
            organisation_id, connection.tenant_id, synced_at, since
        )
        snapshot = read.snapshot
        if not read.accounts_read:
            assert stored is not None and stored.snapshot is not None
            snapshot = snapshot.model_copy(update={"accounts": stored.snapshot.accounts})
        return await self._keep(snapshot, read.accounts_changed_at)

    async def _keep(self, snapshot: LedgerMasterDataSynced, changed_at: datetime | None) -> Synced:
        digest = content_hash(snapshot)
        async with self._pool.acquire() as conn, conn.transaction():
            held = await MasterData(conn).get(snapshot.organisation_id, for_update=True)
            if held is not None and held.synced_at and held.synced_at > snapshot.synced_at:
                return Synced(counts(snapshot), False, snapshot.synced_at)  # a later read won
            changed = held is None or held.content_hash != digest
            await MasterData(conn).store(snapshot, digest, changed_at, changed)
            if changed:
                cause = Cause(snapshot.organisation_id, uuid.uuid4())
                await emit_master_data(conn, snapshot, cause)
        return Synced(counts(snapshot), changed, snapshot.synced_at)


class MasterDataSyncPass:
    """A part of the worker's pass: the master data of connected organisations that are due
    (just connected, or ``interval_s`` after their last read). Looks at most once a second and
    reads in a task of its own, so a slow Xero never holds up the dispatch of publications;
    one organisation's failure is logged and does not stop the others (it is due again after
    ``interval_s``)."""

    def __init__(self, pool: asyncpg.Pool, sync: MasterDataSync, interval_s: float) -> None:
        self._pool = pool
        self._sync = sync
        self._interval_s = interval_s
        self._aside = ReadAside("master-data-sync", self.run_due, every_s=1.0)

    async def run_when_due(self) -> None:
        """Starts reading the due organisations, unless a read still runs."""
        self._aside.start_when_due()

    async def run_due(self) -> int:
        """Reads every organisation due now, one after the other; how many there were."""
        async with self._pool.acquire() as conn:
            due = await MasterData(conn).claim_due(self._interval_s, limit=10)
        for organisation_id in due:
            with log_context(organisation_id=organisation_id):
                try:
                    await self._sync.sync(organisation_id)
                except (LedgerError, NotConnected, ValueError) as error:
                    # ValueError: the ledger sent something the contract refuses; logged, not fatal.
                    log.warning("master data sync failed: %s", error)
        return len(due)

    async def stop(self) -> None:
        await self._aside.stop()
