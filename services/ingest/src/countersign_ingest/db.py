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

__all__ = ["Documents", "Items", "Journey", "StoredDocument", "StoredItem", "Suppliers"]


@dataclass(frozen=True)
class StoredItem:
    """An item as Dext sees it: its latest version's content, and the journey of the version it
    shows (``shown_version``: the latest, unless approval refused it for an earlier one)."""

    organisation_id: UUID
    dext_item_id: str
    kind: str
    latest_version: int
    shown_version: int
    correlation_id: UUID
    content_sha256: str
    document_id: UUID
    payload: dict[str, Any]
    status: str
    status_detail: dict[str, Any]
    withdrawal: dict[str, Any] | None
    refused_republish: dict[str, Any] | None
    updated_at: datetime


@dataclass(frozen=True)
class Journey:
    """What a status change needs of an item: one version's status, whether that version is
    the one shown, and the withdrawal Dext asked for, if any."""

    status: str
    shown: bool
    withdrawal: dict[str, Any] | None


@dataclass(frozen=True)
class StoredDocument:
    document_id: UUID
    organisation_id: UUID
    sha256: str
    media_type: str
    size_bytes: int
    file_name: str


def _json(value: str | None) -> dict[str, Any] | None:
    return None if value is None else dict(json.loads(value))


class Items:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

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
        return StoredItem(
            organisation_id=row["organisation_id"],
            dext_item_id=row["dext_item_id"],
            kind=row["kind"],
            latest_version=row["latest_version"],
            shown_version=row["shown_version"],
            correlation_id=row["correlation_id"],
            content_sha256=row["content_sha256"],
            document_id=row["document_id"],
            payload=json.loads(row["payload"]),
            status=row["status"],
            status_detail=json.loads(row["status_detail"]),
            withdrawal=_json(row["withdrawal"]),
            refused_republish=_json(row["refused_republish"]),
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
            " document_id, payload, status) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)",
            organisation_id,
            dext_item_id,
            version,
            content_sha256,
            document_id,
            payload,
            status,
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
