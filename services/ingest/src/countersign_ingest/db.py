"""Ingest's SQL for items, their versions and original files, and the supplier directory.
(Secrets and seen signatures: ``credentials.py``.)"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

__all__ = ["Documents", "Items", "StoredDocument", "StoredItem", "Suppliers"]


@dataclass(frozen=True)
class StoredItem:
    organisation_id: UUID
    dext_item_id: str
    kind: str
    latest_version: int
    correlation_id: UUID
    content_sha256: str
    document_id: UUID
    payload: dict[str, Any]
    status: str
    status_detail: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class StoredDocument:
    document_id: UUID
    organisation_id: UUID
    sha256: str
    media_type: str
    size_bytes: int
    file_name: str


class Items:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(
        self, organisation_id: UUID, dext_item_id: str, *, lock: bool = False
    ) -> StoredItem | None:
        row = await self._conn.fetchrow(
            "SELECT i.organisation_id, i.dext_item_id, i.kind, i.latest_version,"
            " i.correlation_id, i.status, i.status_detail, i.updated_at, v.content_sha256,"
            " v.document_id, v.payload"
            " FROM items i JOIN item_versions v"
            " ON v.organisation_id = i.organisation_id AND v.dext_item_id = i.dext_item_id"
            " AND v.version = i.latest_version"
            " WHERE i.organisation_id = $1 AND i.dext_item_id = $2"
            + (" FOR UPDATE OF i" if lock else ""),
            organisation_id,
            dext_item_id,
        )
        if row is None:
            return None
        return StoredItem(
            organisation_id=row["organisation_id"],
            dext_item_id=row["dext_item_id"],
            kind=row["kind"],
            latest_version=row["latest_version"],
            correlation_id=row["correlation_id"],
            content_sha256=row["content_sha256"],
            document_id=row["document_id"],
            payload=json.loads(row["payload"]),
            status=row["status"],
            status_detail=json.loads(row["status_detail"]),
            updated_at=row["updated_at"],
        )

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
    ) -> None:
        if item is None:
            await self._conn.execute(
                "INSERT INTO items (organisation_id, dext_item_id, kind, latest_version,"
                " correlation_id, status) VALUES ($1, $2, $3, $4, $5, $6)",
                organisation_id,
                dext_item_id,
                kind,
                version,
                correlation_id,
                status,
            )
        else:
            await self._conn.execute(
                "UPDATE items SET latest_version = $3, status = $4, status_detail = '{}',"
                " updated_at = now() WHERE organisation_id = $1 AND dext_item_id = $2",
                organisation_id,
                dext_item_id,
                version,
                status,
            )
        await self._conn.execute(
            "INSERT INTO item_versions (organisation_id, dext_item_id, version, content_sha256,"
            " document_id, payload) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
            organisation_id,
            dext_item_id,
            version,
            content_sha256,
            document_id,
            payload,
        )

    async def lock_status(self, organisation_id: UUID, dext_item_id: str) -> tuple[int, str] | None:
        """The item's latest version and status, its row locked: all a status change needs
        (no version join, no payload to decode — it runs for every event about the item)."""
        row = await self._conn.fetchrow(
            "SELECT latest_version, status FROM items"
            " WHERE organisation_id = $1 AND dext_item_id = $2 FOR UPDATE",
            organisation_id,
            dext_item_id,
        )
        return None if row is None else (row["latest_version"], row["status"])

    async def set_status(
        self,
        organisation_id: UUID,
        dext_item_id: str,
        status: str,
        detail: dict[str, Any],
        *,
        merge: bool = True,
    ) -> None:
        await self._conn.execute(
            "UPDATE items SET status = $3, updated_at = now(), status_detail ="
            " CASE WHEN $5 THEN status_detail || $4::jsonb ELSE $4::jsonb END"
            " WHERE organisation_id = $1 AND dext_item_id = $2",
            organisation_id,
            dext_item_id,
            status,
            json.dumps(detail),
            merge,
        )


class Documents:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def store(
        self, organisation_id: UUID, sha256: str, media_type: str, file_name: str, content: bytes
    ) -> StoredDocument:
        """The organisation's document with this content, stored now unless it already was."""
        await self._conn.execute(
            "INSERT INTO documents (document_id, organisation_id, sha256, media_type,"
            " size_bytes, file_name, content) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (organisation_id, sha256) DO NOTHING",
            uuid.uuid4(),
            organisation_id,
            sha256,
            media_type,
            len(content),
            file_name,
            content,
        )
        row = await self._conn.fetchrow(
            "SELECT document_id, organisation_id, sha256, media_type, size_bytes, file_name"
            " FROM documents WHERE organisation_id = $1 AND sha256 = $2",
            organisation_id,
            sha256,
        )
        return StoredDocument(**dict(row))

    async def open(self, document_id: UUID) -> tuple[StoredDocument, bytes] | None:
        row = await self._conn.fetchrow(
            "SELECT document_id, organisation_id, sha256, media_type, size_bytes, file_name,"
            " content FROM documents WHERE document_id = $1",
            document_id,
        )
        if row is None:
            return None
        fields = dict(row)
        content: bytes = fields.pop("content")
        return StoredDocument(**fields), content


class Suppliers:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def keep_newest(
        self,
        organisation_id: UUID,
        xero_contact_id: UUID,
        name: str,
        status: str,
        details: dict[str, Any],
        xero_updated_at: datetime,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO suppliers (organisation_id, xero_contact_id, name, status, details,"
            " xero_updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)"
            " ON CONFLICT (organisation_id, xero_contact_id) DO UPDATE SET name = excluded.name,"
            " status = excluded.status, details = excluded.details,"
            " xero_updated_at = excluded.xero_updated_at"
            " WHERE suppliers.xero_updated_at < excluded.xero_updated_at",
            organisation_id,
            xero_contact_id,
            name,
            status,
            json.dumps(details),
            xero_updated_at,
        )

    async def page(
        self,
        organisation_id: UUID,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Suppliers changed after the (xero_updated_at, xero_contact_id) position, oldest first."""
        rows = await self._conn.fetch(
            "SELECT xero_contact_id, name, status, details, xero_updated_at FROM suppliers"
            " WHERE organisation_id = $1 AND ($2::timestamptz IS NULL OR"
            " (xero_updated_at, xero_contact_id) > ($2::timestamptz, $3::uuid))"
            " ORDER BY xero_updated_at, xero_contact_id LIMIT $4",
            organisation_id,
            None if after is None else after[0],
            None if after is None else after[1],
            limit,
        )
        return [
            {**json.loads(row["details"]), **{k: v for k, v in row.items() if k != "details"}}
            for row in rows
        ]
