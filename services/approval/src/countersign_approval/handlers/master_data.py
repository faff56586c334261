"""The organisation's master data in its ledger, from the publisher (ledger.master-data.v1):
kept whole, newest read wins, and every pending request checked against it again — one whose
coding Xero would now refuse shows why and cannot be authorised until it is recoded."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import asyncpg
from countersign_contracts import Envelope, LedgerMasterDataSynced, MasterData

from countersign_approval.db.master_data import LedgerMasterData
from countersign_approval.db.requests import Requests
from countersign_approval.domain.coding import recheck_coding
from countersign_approval.handlers.running import flush_events

__all__ = ["master_data_synced"]

log = logging.getLogger(__name__)


async def master_data_synced(
    conn: asyncpg.Connection, envelope: Envelope[LedgerMasterDataSynced]
) -> None:
    synced = envelope.payload
    org = envelope.organisation_id
    if not await LedgerMasterData(conn).keep(org, synced.model_dump_json(), synced.synced_at):
        log.info("master data of %s read at %s is not newer; kept as is", org, synced.synced_at)
        return
    master = MasterData.from_event(synced.model_dump(mode="json"))
    now = datetime.now(UTC)
    requests = Requests(conn)
    flagged = 0
    for stored in await requests.pending(org):
        if recheck_coding(stored.request, master, now):
            flagged += bool(stored.request.coding_issues)
            await requests.save(stored)
            await flush_events(conn, stored, envelope.event_id)
    if flagged:
        log.info("%d pending requests of %s have coding Xero would now refuse", flagged, org)
