"""Original documents, stored once per organisation and content."""

from __future__ import annotations

import uuid
from uuid import UUID

from countersign_ingest.db import Repository
from countersign_ingest.domain.files import StoredDocument

__all__ = ["Documents"]


class Documents(Repository):
    """Originals in Postgres (ADR 0010), one per organisation and content (by SHA-256)."""

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
