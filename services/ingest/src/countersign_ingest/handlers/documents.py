"""An original document, for whoever holds a valid link to it, or for a person of its
organisation (``api/documents.py``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from countersign_ingest.db.documents import Documents
from countersign_ingest.domain.files import StoredDocument
from countersign_ingest.domain.refusals import DocumentNotFound

__all__ = ["open_document"]


async def open_document(
    conn: asyncpg.Connection, document_id: UUID, organisation_id: UUID | None = None
) -> tuple[StoredDocument, bytes]:
    """The document and its bytes; only of ``organisation_id`` when it is given (another
    organisation's is as unknown as one that never was)."""
    found = await Documents(conn).open(document_id)
    if found is None or organisation_id not in (None, found[0].organisation_id):
        raise DocumentNotFound()
    return found
