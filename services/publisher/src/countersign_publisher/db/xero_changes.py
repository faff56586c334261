"""SQL of changes in a ledger: webhook events as received (and the work each one is), the newest
state seen of each record, and the polling fallback's progress. Xero's and QBO's tables have
the same shape (``ChangeTables``: migrations 0007 and 0015); the SQL is written once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from countersign_platform.organisation_status import NOT_SUSPENDED

from countersign_publisher.domain.xero_changes import ChangeEvent

__all__ = [
    "QBO_TABLES",
    "XERO_TABLES",
    "ChangeEvents",
    "ChangePolls",
    "ChangeTables",
    "ClaimedEvent",
    "Resources",
    "SeenResource",
]


@dataclass(frozen=True)
class ChangeTables:
    """One ledger's change tables: events (``resource_id`` of ``id_type``), resources (the
    ledger's update time in ``updated``) and polls (the newest time read per collection)."""

    ledger: str
    events: str
    resources: str
    polls: str
    id_type: str
    updated: str
    until: Mapping[str, str]


XERO_TABLES = ChangeTables(
    "xero", "xero_change_events", "xero_resources", "xero_change_polls", "uuid",
    "xero_updated_at", {"Invoices": "invoices_until", "Contacts": "contacts_until"},
)  # fmt: skip
QBO_TABLES = ChangeTables(
    "qbo", "qbo_change_events", "qbo_resources", "qbo_change_polls", "text",
    "qbo_updated_at", {"Bill": "bills_until"},
)  # fmt: skip


@dataclass(frozen=True)
class ClaimedEvent:
    change_id: int
    event: ChangeEvent
    attempts: int


@dataclass(frozen=True)
class SeenResource:
    updated_at: datetime
    state: dict[str, Any]


class ChangeEvents:
    def __init__(self, conn: asyncpg.Connection, tables: ChangeTables = XERO_TABLES) -> None:
        self._conn = conn
        self._t = tables

    async def record(self, events: list[ChangeEvent]) -> int:
        """Records the events not recorded before; how many were new."""
        if not events:
            return 0
        rows = await self._conn.fetch(
            f"INSERT INTO {self._t.events}"
            " (tenant_id, event_category, resource_id, event_date_utc, event_type)"
            f" SELECT * FROM unnest($1::text[], $2::text[], $3::{self._t.id_type}[],"
            " $4::timestamptz[],"
            " $5::text[]) ON CONFLICT DO NOTHING RETURNING change_id",
            [e.tenant_id for e in events],
            [e.category for e in events],
            [e.resource_id for e in events],
            [e.event_date for e in events],
            [e.event_type for e in events],
        )
        return len(rows)

    async def claim(self, limit: int, lease_s: float) -> list[ClaimedEvent]:
        """Due events, oldest first, each leased ``lease_s`` (another instance leaves it)."""
        rows = await self._conn.fetch(
            f"UPDATE {self._t.events} SET attempts = attempts + 1,"
            " next_attempt_at = now() + make_interval(secs => $2)"
            f" WHERE change_id IN (SELECT change_id FROM {self._t.events}"
            " WHERE processed_at IS NULL AND next_attempt_at <= now()"
            " ORDER BY change_id LIMIT $1 FOR UPDATE SKIP LOCKED)"
            " RETURNING change_id, tenant_id, event_category, resource_id, event_date_utc,"
            " event_type, attempts",
            limit,
            lease_s,
        )
        return [
            ClaimedEvent(
                r["change_id"],
                ChangeEvent(
                    r["tenant_id"],
                    r["event_category"],
                    r["resource_id"],
                    r["event_date_utc"],
                    r["event_type"],
                ),
                r["attempts"],
            )
            for r in sorted(rows, key=lambda r: int(r["change_id"]))
        ]

    async def finish(self, change_id: int, outcome: str, organisation_id: UUID | None) -> None:
        await self._conn.execute(
            f"UPDATE {self._t.events} SET processed_at = now(), outcome = $2,"
            " organisation_id = $3 WHERE change_id = $1",
            change_id,
            outcome,
            organisation_id,
        )

    async def postpone(self, change_id: int, delay_s: float, error: str) -> None:
        await self._conn.execute(
            f"UPDATE {self._t.events}"
            " SET next_attempt_at = now() + make_interval(secs => $2),"
            " last_error = $3 WHERE change_id = $1",
            change_id,
            delay_s,
            error,
        )

    async def purge(self, kept_s: float) -> int:
        """Deletes the events worked more than ``kept_s`` ago; how many."""
        deleted = await self._conn.fetchval(
            f"WITH gone AS (DELETE FROM {self._t.events}"
            " WHERE processed_at < now() - make_interval(secs => $1) RETURNING 1)"
            " SELECT count(*) FROM gone",
            kept_s,
        )
        return int(deleted)

    async def organisation_of(self, tenant_id: str) -> UUID | None:
        """The organisation the tenant (QBO: realm) serves (one per ledger: migration 0014)."""
        found: UUID | None = await self._conn.fetchval(
            "SELECT organisation_id FROM xero_connections"
            " WHERE tenant_id = $1 AND ledger = $2 AND status <> 'disconnected'",
            tenant_id,
            self._t.ledger,
        )
        return found


class Resources:
    def __init__(self, conn: asyncpg.Connection, tables: ChangeTables = XERO_TABLES) -> None:
        self._conn = conn
        self._t = tables

    async def seen(
        self,
        organisation_id: UUID,
        category: str,
        resource_id: UUID | str,
        *,
        for_update: bool = False,
    ) -> SeenResource | None:
        lock = ""
        if for_update:
            # Also when there is no row yet: two first sightings must not both pass as new.
            key = f"{self._t.resources}:{organisation_id}:{category}:{resource_id}"
            await self._conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
            lock = " FOR UPDATE"
        row = await self._conn.fetchrow(
            f"SELECT {self._t.updated}, state FROM {self._t.resources}"
            f" WHERE organisation_id = $1 AND category = $2 AND resource_id = $3{lock}",
            organisation_id,
            category,
            resource_id,
        )
        if row is None:
            return None
        return SeenResource(row[self._t.updated], json.loads(row["state"]))

    async def keep(
        self,
        organisation_id: UUID,
        category: str,
        resource_id: UUID | str,
        updated_at: datetime,
        state: dict[str, Any],
        seen_by: str,
    ) -> None:
        table, updated = self._t.resources, self._t.updated
        await self._conn.execute(
            f"INSERT INTO {table} (organisation_id, category, resource_id,"
            f" {updated}, state, seen_by) VALUES ($1, $2, $3, $4, $5::jsonb, $6)"
            " ON CONFLICT (organisation_id, category, resource_id) DO UPDATE SET"
            f" {updated} = EXCLUDED.{updated}, state = EXCLUDED.state,"
            " seen_at = now(), seen_by = EXCLUDED.seen_by"
            f" WHERE {table}.{updated} < EXCLUDED.{updated}",
            organisation_id,
            category,
            resource_id,
            updated_at,
            json.dumps(state),
            seen_by,
        )


class ChangePolls:
    def __init__(self, conn: asyncpg.Connection, tables: ChangeTables = XERO_TABLES) -> None:
        self._conn = conn
        self._t = tables

    async def claim_due(self, next_in_s: float, limit: int) -> list[UUID]:
        """Organisations connected to this ledger, not suspended, whose poll is due, each
        pushed ``next_in_s`` ahead (the claim), the longest waiting first."""
        polls = self._t.polls
        rows = await self._conn.fetch(
            f"INSERT INTO {polls} (organisation_id, due_at)"
            " SELECT c.organisation_id, now() + make_interval(secs => $1)"
            f" FROM xero_connections c LEFT JOIN {polls} p USING (organisation_id)"
            " WHERE c.status = 'connected' AND c.ledger = $3"
            " AND (p.due_at IS NULL OR p.due_at <= now())"
            f" AND {NOT_SUSPENDED.format(table='c')}"
            " ORDER BY p.due_at NULLS FIRST LIMIT $2"
            " ON CONFLICT (organisation_id) DO UPDATE SET due_at = EXCLUDED.due_at"
            f" WHERE {polls}.due_at <= now()"
            " RETURNING organisation_id",
            next_in_s,
            limit,
            self._t.ledger,
        )
        return [row["organisation_id"] for row in rows]

    async def until(self, organisation_id: UUID, collection: str) -> datetime | None:
        column = self._t.until[collection]
        found: datetime | None = await self._conn.fetchval(
            f"SELECT {column} FROM {self._t.polls} WHERE organisation_id = $1", organisation_id
        )
        return found

    async def advance(self, organisation_id: UUID, collection: str, until: datetime) -> None:
        column, polls = self._t.until[collection], self._t.polls
        await self._conn.execute(
            f"INSERT INTO {polls} (organisation_id, {column}, polled_at)"
            " VALUES ($1, $2, now()) ON CONFLICT (organisation_id) DO UPDATE SET"
            f" {column} = GREATEST({polls}.{column}, $2), polled_at = now()",
            organisation_id,
            until,
        )

    async def polled(self, organisation_id: UUID) -> None:
        await self._conn.execute(
            f"INSERT INTO {self._t.polls} (organisation_id, polled_at) VALUES ($1, now())"
            " ON CONFLICT (organisation_id) DO UPDATE SET polled_at = now()",
            organisation_id,
        )
