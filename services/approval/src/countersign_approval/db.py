"""All of approval's SQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

__all__ = ["RequestRow", "Requests"]


@dataclass(frozen=True)
class RequestRow:
    request_id: UUID
    organisation_id: UUID
    dext_item_id: str
    item_version: int
    state: str
    bill: dict[str, Any]


class Requests:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self,
        request_id: UUID,
        organisation_id: UUID,
        dext_item_id: str,
        item_version: int,
        state: str,
        bill: str,
        correlation_id: UUID,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO requests (request_id, organisation_id, dext_item_id, item_version, state,"
            " bill, correlation_id) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)",
            request_id,
            organisation_id,
            dext_item_id,
            item_version,
            state,
            bill,
            correlation_id,
        )

    async def get(self, organisation_id: UUID, request_id: UUID) -> RequestRow | None:
        row = await self._conn.fetchrow(
            "SELECT request_id, organisation_id, dext_item_id, item_version, state, bill"
            " FROM requests WHERE organisation_id = $1 AND request_id = $2",
            organisation_id,
            request_id,
        )
        return None if row is None else _to_request(row)

    async def for_item(self, organisation_id: UUID, dext_item_id: str) -> list[RequestRow]:
        rows = await self._conn.fetch(
            "SELECT request_id, organisation_id, dext_item_id, item_version, state, bill"
            " FROM requests WHERE organisation_id = $1 AND dext_item_id = $2"
            " ORDER BY item_version",
            organisation_id,
            dext_item_id,
        )
        return [_to_request(row) for row in rows]


def _to_request(row: asyncpg.Record) -> RequestRow:
    return RequestRow(
        request_id=row["request_id"],
        organisation_id=row["organisation_id"],
        dext_item_id=row["dext_item_id"],
        item_version=row["item_version"],
        state=row["state"],
        bill=json.loads(row["bill"]),
    )
