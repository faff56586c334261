"""SQL of the requests the notifier knows (migration 0001)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from countersign_notifier.domain.bills import BillSummary
from countersign_notifier.domain.choosing import KnownRequest

__all__ = ["Requests"]


class Requests:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def remember(self, known: KnownRequest) -> None:
        await self._conn.execute(
            "INSERT INTO requests (request_id, organisation_id, dext_item_id, item_version, bill,"
            " requester_email, requester_name) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)"
            " ON CONFLICT (request_id) DO UPDATE SET bill = EXCLUDED.bill,"
            " requester_email = EXCLUDED.requester_email,"
            " requester_name = EXCLUDED.requester_name",
            known.request_id, known.organisation_id, known.dext_item_id, known.item_version,
            known.bill.model_dump_json(), known.requester_email, known.requester_name,
        )  # fmt: skip

    async def get(self, request_id: UUID) -> KnownRequest | None:
        row = await self._conn.fetchrow(
            "SELECT organisation_id, request_id, dext_item_id, item_version, bill::text AS bill,"
            " requester_email, requester_name FROM requests WHERE request_id = $1",
            request_id,
        )
        if row is None:
            return None
        return KnownRequest(**{**dict(row), "bill": BillSummary.model_validate_json(row["bill"])})
