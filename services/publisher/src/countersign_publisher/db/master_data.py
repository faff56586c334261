"""SQL of master data: each organisation's latest snapshot (``LedgerMasterDataSynced``), its
hash, and when it is next due."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_contracts import LedgerMasterDataSynced
from countersign_platform.organisation_status import NOT_SUSPENDED

__all__ = ["MasterData", "StoredMasterData"]


@dataclass(frozen=True)
class StoredMasterData:
    organisation_id: UUID
    due_at: datetime
    content_hash: str | None
    snapshot: LedgerMasterDataSynced | None
    accounts_changed_at: datetime | None
    synced_at: datetime | None
    changed_at: datetime | None


class MasterData:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(
        self, organisation_id: UUID, *, for_update: bool = False
    ) -> StoredMasterData | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self._conn.fetchrow(
            "SELECT organisation_id, due_at, content_hash, snapshot, accounts_changed_at,"
            f" synced_at, changed_at FROM master_data WHERE organisation_id = $1{lock}",
            organisation_id,
        )
        if row is None:
            return None
        fields = dict(row)
        raw = fields.pop("snapshot")
        snapshot = None if raw is None else LedgerMasterDataSynced.model_validate_json(raw)
        return StoredMasterData(snapshot=snapshot, **fields)

    async def mark_due(self, organisation_id: UUID) -> None:
        """Due now (an organisation just connected)."""
        await self._conn.execute(
            "INSERT INTO master_data (organisation_id, due_at) VALUES ($1, now())"
            " ON CONFLICT (organisation_id) DO UPDATE SET due_at = now()",
            organisation_id,
        )

    async def claim_due(self, next_in_s: float, limit: int) -> list[UUID]:
        """Connected organisations, not suspended, whose sync is due, each pushed ``next_in_s``
        ahead (the claim: another instance does not take it meanwhile), the longest waiting
        first."""
        rows = await self._conn.fetch(
            "INSERT INTO master_data (organisation_id, due_at)"
            " SELECT c.organisation_id, now() + make_interval(secs => $1)"
            " FROM xero_connections c LEFT JOIN master_data m USING (organisation_id)"
            " WHERE c.status = 'connected' AND (m.due_at IS NULL OR m.due_at <= now())"
            f" AND {NOT_SUSPENDED.format(table='c')}"
            " ORDER BY m.due_at NULLS FIRST LIMIT $2"
            " ON CONFLICT (organisation_id) DO UPDATE SET due_at = EXCLUDED.due_at"
            " WHERE master_data.due_at <= now()"
            " RETURNING organisation_id",
            next_in_s,
            limit,
        )
        return [row["organisation_id"] for row in rows]

    async def store(
        self,
        snapshot: LedgerMasterDataSynced,
        content_hash: str,
        accounts_changed_at: datetime | None,
        changed: bool,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO master_data (organisation_id, content_hash, snapshot,"
            " accounts_changed_at, synced_at, changed_at)"
            " VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz,"
            " CASE WHEN $6::boolean THEN $5::timestamptz END)"
            " ON CONFLICT (organisation_id) DO UPDATE SET content_hash = EXCLUDED.content_hash,"
            " snapshot = EXCLUDED.snapshot, accounts_changed_at = EXCLUDED.accounts_changed_at,"
            " synced_at = EXCLUDED.synced_at,"
            " changed_at = CASE WHEN $6::boolean THEN $5::timestamptz"
            " ELSE master_data.changed_at END",
            snapshot.organisation_id,
            content_hash,
            json.dumps(snapshot.model_dump(mode="json")),
            accounts_changed_at,
            snapshot.synced_at,
            changed,
        )
