"""An original document, for whoever holds a valid link to it (``api/documents.py``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from countersign_ingest.db.documents import Documents
from countersign_ingest.domain.files import StoredDocument
from countersign_ingest.domain.refusals import DocumentNotFound

__all__ = ["open_document"]


async def open_document(
    conn: asyncpg.Connection, document_id: UUID
) -> tuple[StoredDocument, bytes]:
    found = await Documents(conn).open(document_id)
    if found is None:
        raise DocumentNotFound()
    return found
