"""Items and their versions: the latest content of each Dext item, every version's journey, and
which version's journey the item shows."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import asyncpg

from countersign_ingest.db import Repository
from countersign_ingest.domain.duplicates import DuplicateKeys
from countersign_ingest.domain.items import Journey, StoredItem

__all__ = ["Items", "lock_item"]


def _json(value: str | None) -> dict[str, Any] | None:
    return None if value is None else dict(json.loads(value))


async def lock_item(conn: asyncpg.Connection, organisation_id: UUID, dext_item_id: str) -> None:
    # A transaction lock on the item's identity serialises publications of one item even before
    # its first row exists (there is nothing to SELECT … FOR UPDATE yet).
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{organisation_id}/{dext_item_id}"
    )


class Items(Repository):
    async def get(
        self, organisation_id: UUID, dext_item_id: str, *, lock: bool = False
    ) -> StoredItem | None:
        row = await self._conn.fetchrow(
            "SELECT i.organisation_id, i.dext_item_id, i.kind, i.latest_version,"
            " i.shown_version, i.correlation_id, i.withdrawal, i.refused_republish,"
            " greatest(i.updated_at, s.status_updated_at) AS updated_at, v.content_sha256,"
            " v.document_id, v.payload, s.status, s.status_detail"
            " FROM items i"
            " JOIN item_versions v ON v.organisation_id = i.organisation_id"
            " AND v.dext_item_id = i.dext_item_id AND v.version = i.latest_version"
            " JOIN item_versions s ON s.organisation_id = i.organisation_id"
            " AND s.dext_item_id = i.dext_item_id AND s.version = i.shown_version"
            " WHERE i.organisation_id = $1 AND i.dext_item_id = $2"
            + (" FOR UPDATE OF i" if lock else ""),
            organisation_id,
            dext_item_id,
        )
        if row is None:
            return None
        # The selected columns are StoredItem's fields; the JSON ones arrive as text.
        fields = dict(row)
        for column in ("payload", "status_detail"):
            fields[column] = json.loads(fields[column])
        for column in ("withdrawal", "refused_republish"):
            fields[column] = _json(fields[column])
        return StoredItem(**fields)

    async def add_version(
        self,
        item: StoredItem | None,
        *,
        organisation_id: UUID,
        dext_item_id: str,
        kind: str,
        version: int,
        correlation_id: UUID,
        content_sha256: str,
        document_id: UUID,
        payload: str,
        status: str,
        duplicate_keys: DuplicateKeys,
    ) -> None:
        """Stores a new version, shown from now on with ``status``."""
        if item is None:
            await self._conn.execute(
                "INSERT INTO items (organisation_id, dext_item_id, kind, latest_version,"
                " shown_version, correlation_id) VALUES ($1, $2, $3, $4, $4, $5)",
                organisation_id,
                dext_item_id,
                kind,
                version,
                correlation_id,
            )
        else:
            await self._conn.execute(
                "UPDATE items SET latest_version = $3, shown_version = $3, updated_at = now()"
                " WHERE organisation_id = $1 AND dext_item_id = $2",
                organisation_id,
                dext_item_id,
                version,
            )
        await self._conn.execute(
            "INSERT INTO item_versions (organisation_id, dext_item_id, version, content_sha256,"
            " document_id, payload, status, reference_key, amount_key)"
            " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)",
            organisation_id,
            dext_item_id,
            version,
            content_sha256,
            document_id,
            payload,
            status,
            duplicate_keys.reference,
            duplicate_keys.amount,
        )

    async def lock_journey(
        self, organisation_id: UUID, dext_item_id: str, version: int
    ) -> Journey | None:
        """Version ``version``'s status, the item's row locked: all a status change needs (no
        payload to decode — it runs for every event about the item). None if unknown."""
        row = await self._conn.fetchrow(
            "SELECT v.status, i.shown_version = v.version AS shown, i.withdrawal"
            " FROM items i JOIN item_versions v ON v.organisation_id = i.organisation_id"
            " AND v.dext_item_id = i.dext_item_id AND v.version = $3"
            " WHERE i.organisation_id = $1 AND i.dext_item_id = $2 FOR UPDATE OF i",
            organisation_id,
            dext_item_id,
            version,
        )
        if row is None:
            return None
        return Journey(row["status"], row["shown"], _json(row["withdrawal"]))

    async def set_status(
        self,
        organisation_id: UUID,
        dext_item_id: str,
        version: int,
        status: str,
        detail: dict[str, Any],
    ) -> None:
        """Version ``version`` reached ``status``; ``detail`` adds to (or replaces) what its
        earlier news said."""
        await self._conn.execute(
            "UPDATE item_versions SET status = $4, status_detail = status_detail || $5::jsonb,"
            " status_updated_at = now()"
            " WHERE organisation_id = $1 AND dext_item_id = $2 AND version = $3",
            organisation_id,
            dext_item_id,
            version,
            status,
            json.dumps(detail),
        )

    async def show_version(
        self, organisation_id: UUID, dext_item_id: str, version: int, refused: dict[str, Any]
    ) -> None:
        """Approval refused a newer version (``refused``) and kept ``version``: show its
        journey."""
        await self._conn.execute(
            "UPDATE items SET shown_version = $3, refused_republish = $4::jsonb,"
            " updated_at = now() WHERE organisation_id = $1 AND dext_item_id = $2",
            organisation_id,
            dext_item_id,
            version,
            json.dumps(refused),
        )

    async def set_withdrawal(
        self, organisation_id: UUID, dext_item_id: str, withdrawal: dict[str, Any]
    ) -> None:
        await self._conn.execute(
            "UPDATE items SET withdrawal = $3::jsonb, updated_at = now()"
            " WHERE organisation_id = $1 AND dext_item_id = $2",
            organisation_id,
            dext_item_id,
            json.dumps(withdrawal),
        )
