"""Approval requests, stored as documents beside the columns queries need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import asyncpg
from countersign_contracts import TOLERANT

from countersign_approval.domain.lifecycle import PENDING, RequestState
from countersign_approval.domain.request import ApprovalRequest

__all__ = ["RequestFilter", "Requests", "StoredRequest"]

_COLUMNS = "document, correlation_id, workflow_version"
# The trail's actions that are a person's decision on a request.
DECISIONS = ("approved", "rejected", "force_approved", "force_rejected")


@dataclass(frozen=True)
class RequestFilter:
    """What a listing is narrowed to; None leaves a criterion out."""

    dext_item_id: str | None = None
    state: str | None = None
    supplier: str | None = None  # the supplier's name contains it, case-blind
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    opened_from: datetime | None = None
    opened_before: datetime | None = None
    decided_by: UUID | None = None  # approved or rejected it (the trail says so)
    requested_by: UUID | None = None
    newest_first: bool = False


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_FILTERED = (
    " AND ($4::text IS NULL OR dext_item_id = $4)"
    " AND ($5::text IS NULL OR state = $5)"
    " AND ($6::text IS NULL OR document->'bill'->'supplier'->>'name' ILIKE $6)"
    " AND ($7::numeric IS NULL OR (document->'bill'->>'total')::numeric >= $7)"
    " AND ($8::numeric IS NULL OR (document->'bill'->>'total')::numeric <= $8)"
    " AND ($9::timestamptz IS NULL OR opened_at >= $9)"
    " AND ($10::timestamptz IS NULL OR opened_at < $10)"
    " AND ($11::text IS NULL OR document->'requester'->>'user_id' = $11)"
    " AND ($12::text IS NULL OR EXISTS (SELECT 1 FROM jsonb_array_elements(document->'trail') e"
    "  WHERE e->'actor'->>'user_id' = $12 AND e->>'action' = ANY($13::text[])))"
)


class StoredRequest:
    """A request with what is kept beside it."""

    def __init__(
        self, request: ApprovalRequest, correlation_id: UUID, workflow_version: int | None
    ) -> None:
        self.request = request
        self.correlation_id = correlation_id
        self.workflow_version = workflow_version


def _document(raw: str) -> ApprovalRequest:
    # Read tolerantly: a document saved before a rule tightened (the text rules) still opens.
    return ApprovalRequest.model_validate_json(raw, context=TOLERANT)


def _stored(row: asyncpg.Record) -> StoredRequest:
    return StoredRequest(
        _document(row["document"]),
        row["correlation_id"],
        row["workflow_version"],
    )


class Requests:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, stored: StoredRequest) -> bool:
        """False when this item version already has a request."""
        request = stored.request
        status = await self._conn.execute(
            "INSERT INTO requests (request_id, organisation_id, dext_item_id, item_version, state,"
            " workflow_version, awaiting, participants, document, correlation_id, opened_at,"
            " due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)"
            " ON CONFLICT DO NOTHING",
            request.request_id,
            request.organisation_id,
            request.dext_item_id,
            request.item_version,
            request.state.value,
            stored.workflow_version,
            request.awaiting(),
            sorted(request.participants()),
            request.model_dump_json(),
            stored.correlation_id,
            request.opened_at,
            request.next_due(),
        )
        return bool(status.endswith(" 1"))

    async def save(self, stored: StoredRequest) -> None:
        request = stored.request
        await self._conn.execute(
            "UPDATE requests SET state = $2, workflow_version = $3, awaiting = $4,"
            " participants = $5, document = $6::jsonb, due_at = $7, updated_at = now()"
            " WHERE request_id = $1",
            request.request_id,
            request.state.value,
            stored.workflow_version,
            request.awaiting(),
            sorted(request.participants()),
            request.model_dump_json(),
            request.next_due(),
        )

    async def due(self, limit: int) -> list[StoredRequest]:
        """Requests whose current step has something due (the reminder at its deadline, then
        its escalation), the longest due first, locked; rows another instance holds are
        skipped."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM requests WHERE due_at <= now()"
            " ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED",
            limit,
        )
        return [_stored(row) for row in rows]

    async def get(
        self, organisation_id: UUID, request_id: UUID, *, lock: bool = False
    ) -> StoredRequest | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM requests WHERE organisation_id = $1 AND request_id = $2"
            + (" FOR UPDATE" if lock else ""),
            organisation_id,
            request_id,
        )
        return None if row is None else _stored(row)

    async def latest_for_item(
        self, organisation_id: UUID, dext_item_id: str, *, lock: bool = False
    ) -> StoredRequest | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM requests WHERE organisation_id = $1 AND dext_item_id = $2"
            " ORDER BY item_version DESC LIMIT 1" + (" FOR UPDATE" if lock else ""),
            organisation_id,
            dext_item_id,
        )
        return None if row is None else _stored(row)

    async def for_item_version(
        self, organisation_id: UUID, dext_item_id: str, version: int, *, lock: bool = False
    ) -> StoredRequest | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM requests WHERE organisation_id = $1 AND dext_item_id = $2"
            " AND item_version = $3" + (" FOR UPDATE" if lock else ""),
            organisation_id,
            dext_item_id,
            version,
        )
        return None if row is None else _stored(row)

    async def by_id(self, request_id: UUID, *, lock: bool = False) -> StoredRequest | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM requests WHERE request_id = $1"
            + (" FOR UPDATE" if lock else ""),
            request_id,
        )
        return None if row is None else _stored(row)

    async def awaiting_workflow(self, organisation_id: UUID) -> list[StoredRequest]:
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM requests WHERE organisation_id = $1 AND state = $2"
            " ORDER BY opened_at FOR UPDATE",
            organisation_id,
            RequestState.AWAITING_WORKFLOW.value,
        )
        return [_stored(row) for row in rows]

    async def pending(self, organisation_id: UUID) -> list[StoredRequest]:
        """The organisation's pending requests, locked, in one order (so two passes over
        them never wait on each other in a circle)."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM requests WHERE organisation_id = $1"
            " AND state = ANY($2::text[]) ORDER BY request_id FOR UPDATE",
            organisation_id,
            sorted(PENDING),
        )
        return [_stored(row) for row in rows]

    async def pending_versions(self, organisation_id: UUID) -> list[int]:
        """The workflow versions that pending requests still run on."""
        rows = await self._conn.fetch(
            "SELECT DISTINCT workflow_version FROM requests WHERE organisation_id = $1"
            " AND state = ANY($2::text[]) AND workflow_version IS NOT NULL ORDER BY 1",
            organisation_id,
            sorted(PENDING),
        )
        return [row["workflow_version"] for row in rows]

    async def pending_awaiting(self, organisation_id: UUID, user_id: UUID) -> int:
        """How many pending requests wait for the user's decision."""
        count: int = await self._conn.fetchval(
            "SELECT count(*) FROM requests WHERE organisation_id = $1"
            " AND state = ANY($2::text[]) AND awaiting @> ARRAY[$3::uuid]",
            organisation_id,
            sorted(PENDING),
            user_id,
        )
        return count

    async def listing(
        self,
        organisation_id: UUID,
        *,
        awaiting: Sequence[UUID] | None = None,
        participant: UUID | None = None,
        narrowed: RequestFilter | None = None,
        limit: int = 100,
    ) -> list[ApprovalRequest]:
        """The organisation's requests that match, in the order they were opened (or newest
        first); all in SQL, so ``limit`` counts only matches."""
        f = narrowed or RequestFilter()
        order = "DESC" if f.newest_first else ""
        rows = await self._conn.fetch(
            "SELECT document FROM requests WHERE organisation_id = $1"
            " AND ($2::uuid[] IS NULL OR awaiting && $2::uuid[])"
            " AND ($3::uuid IS NULL OR participants @> ARRAY[$3::uuid])"
            + _FILTERED
            + f" ORDER BY opened_at {order}, item_version {order} LIMIT $14",
            organisation_id,
            awaiting,
            participant,
            f.dext_item_id,
            f.state,
            None if f.supplier is None else _like(f.supplier),
            f.min_total,
            f.max_total,
            f.opened_from,
            f.opened_before,
            None if f.requested_by is None else str(f.requested_by),
            None if f.decided_by is None else str(f.decided_by),
            list(DECISIONS),
            limit,
        )
        return [_document(row["document"]) for row in rows]
