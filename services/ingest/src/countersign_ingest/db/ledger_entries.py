"""The ledger's master data Dext pulls: entries (accounts, tax rates, tracking categories) with
when each last changed, and the organisation's ledger settings (currencies, lock dates)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from countersign_ingest.db import Repository
from countersign_ingest.domain.ledger_entries import EntryKind, Stored

__all__ = ["LedgerEntries", "LedgerSettings"]


class LedgerEntries(Repository):
    async def stored(self, organisation_id: UUID, kind: EntryKind) -> dict[str, Stored]:
        rows = await self._conn.fetch(
            "SELECT entry_key, content, removed FROM ledger_entries"
            " WHERE organisation_id = $1 AND kind = $2",
            organisation_id,
            kind.value,
        )
        return {r["entry_key"]: Stored(json.loads(r["content"]), r["removed"]) for r in rows}

    async def current(self, organisation_id: UUID) -> dict[EntryKind, list[Mapping[str, Any]]]:
        """Every entry still in the ledger, by kind, in one read (intake checks coding with it)."""
        rows = await self._conn.fetch(
            "SELECT kind, content FROM ledger_entries WHERE organisation_id = $1 AND NOT removed",
            organisation_id,
        )
        found: dict[EntryKind, list[Mapping[str, Any]]] = {kind: [] for kind in EntryKind}
        for row in rows:
            found[EntryKind(row["kind"])].append(json.loads(row["content"]))
        return found

    async def changed(
        self,
        organisation_id: UUID,
        kind: EntryKind,
        entries: Mapping[str, Mapping[str, Any]],
        at: datetime,
    ) -> None:
        await self._conn.executemany(
            "INSERT INTO ledger_entries (organisation_id, kind, entry_key, content, changed_at)"
            " VALUES ($1, $2, $3, $4::jsonb, $5)"
            " ON CONFLICT (organisation_id, kind, entry_key) DO UPDATE SET"
            " content = EXCLUDED.content, removed = false, changed_at = EXCLUDED.changed_at",
            [
                (organisation_id, kind.value, key, json.dumps(content), at)
                for key, content in entries.items()
            ],
        )

    async def removed(
        self, organisation_id: UUID, kind: EntryKind, keys: list[str], at: datetime
    ) -> None:
        await self._conn.execute(
            "UPDATE ledger_entries SET removed = true, changed_at = $4"
            " WHERE organisation_id = $1 AND kind = $2 AND entry_key = ANY($3::text[])",
            organisation_id,
            kind.value,
            keys,
            at,
        )

    async def page(
        self,
        organisation_id: UUID,
        kind: EntryKind,
        after: tuple[datetime, str | None] | None,
        limit: int,
        payable_only: bool = False,
    ) -> list[dict[str, Any]]:
        """Entries changed after the (changed_at, entry_key) position (no key: after every
        entry of that instant), oldest change first; ``payable_only``: accounts a payment can
        come from (BANK ones, and those with payments enabled)."""
        rows = await self._conn.fetch(
            "SELECT entry_key, content, removed, changed_at FROM ledger_entries"
            " WHERE organisation_id = $1 AND kind = $2 AND ($3::timestamptz IS NULL"
            " OR changed_at > $3::timestamptz"
            " OR (changed_at = $3::timestamptz AND entry_key > $4::text))"
            " AND (NOT $6 OR content->>'type' = 'BANK'"
            "      OR (content->>'enable_payments_to_account')::boolean)"
            " ORDER BY changed_at, entry_key LIMIT $5",
            organisation_id,
            kind.value,
            None if after is None else after[0],
            None if after is None else after[1],
            limit,
            payable_only,
        )
        return [
            {**json.loads(r["content"]), "removed": r["removed"], "changed_at": r["changed_at"]}
            | {"entry_key": r["entry_key"]}
            for r in rows
        ]


class LedgerSettings(Repository):
    async def currencies(self, organisation_id: UUID) -> list[str] | None:
        """The enabled currencies; None before the ledger was read once."""
        found = await self._conn.fetchval(
            "SELECT currencies FROM ledger_settings WHERE organisation_id = $1", organisation_id
        )
        return None if found is None else list(json.loads(found))

    async def synced_at(self, organisation_id: UUID) -> datetime | None:
        value: datetime | None = await self._conn.fetchval(
            "SELECT synced_at FROM ledger_settings WHERE organisation_id = $1 FOR UPDATE",
            organisation_id,
        )
        return value

    async def keep(
        self,
        organisation_id: UUID,
        tenant_id: str,
        base_currency: str,
        currencies: list[str],
        lock_dates: tuple[date | None, date | None],
        synced_at: datetime,
    ) -> None:
        """Stores the settings; ``changed_at`` moves only when they differ."""
        await self._conn.execute(
            "INSERT INTO ledger_settings (organisation_id, tenant_id, base_currency, currencies,"
            " period_lock_date, end_of_year_lock_date, synced_at, changed_at)"
            " VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $7)"
            " ON CONFLICT (organisation_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id,"
            " base_currency = EXCLUDED.base_currency, currencies = EXCLUDED.currencies,"
            " period_lock_date = EXCLUDED.period_lock_date,"
            " end_of_year_lock_date = EXCLUDED.end_of_year_lock_date,"
            " synced_at = EXCLUDED.synced_at,"
            " changed_at = CASE WHEN (ledger_settings.tenant_id, ledger_settings.base_currency,"
            "   ledger_settings.currencies, ledger_settings.period_lock_date,"
            "   ledger_settings.end_of_year_lock_date) IS NOT DISTINCT FROM (EXCLUDED.tenant_id,"
            "   EXCLUDED.base_currency, EXCLUDED.currencies, EXCLUDED.period_lock_date,"
            "   EXCLUDED.end_of_year_lock_date) THEN ledger_settings.changed_at"
            "   ELSE EXCLUDED.changed_at END",
            organisation_id,
            tenant_id,
            base_currency,
            json.dumps(currencies),
            lock_dates[0],
            lock_dates[1],
            synced_at,
        )

    async def get(self, organisation_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(
            "SELECT tenant_id, base_currency, currencies, period_lock_date,"
            " end_of_year_lock_date, synced_at, changed_at FROM ledger_settings"
            " WHERE organisation_id = $1",
            organisation_id,
        )
        if row is None:
            return None
        return {**dict(row), "currencies": json.loads(row["currencies"])}
