"""The organisation's ledger master data, the latest ledger.master-data.v1 event whole."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_contracts import MasterData

__all__ = ["LedgerMasterData"]


class LedgerMasterData:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def keep(self, organisation_id: UUID, document: str, synced_at: datetime) -> bool:
        """Keeps ``document`` (the event's payload as JSON) unless a newer read is kept
        already; False when it was older (or the same)."""
        status = await self._conn.execute(
            "INSERT INTO ledger_master_data (organisation_id, document, synced_at)"
            " VALUES ($1, $2::jsonb, $3) ON CONFLICT (organisation_id) DO UPDATE"
            " SET document = EXCLUDED.document, synced_at = EXCLUDED.synced_at,"
            " updated_at = now() WHERE ledger_master_data.synced_at < EXCLUDED.synced_at",
            organisation_id,
            document,
            synced_at,
        )
        return bool(status.endswith(" 1"))

    async def current(self, organisation_id: UUID) -> MasterData | None:
        """What the organisation's Xero accepts, by its latest master data; None before the
        publisher read it once."""
        raw = await self._conn.fetchval(
            "SELECT document FROM ledger_master_data WHERE organisation_id = $1",
            organisation_id,
        )
        return None if raw is None else MasterData.from_event(json.loads(raw))
