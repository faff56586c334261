"""The original files, fetched from ingest through a signed, expiring link."""

from __future__ import annotations

import hashlib
from uuid import UUID

from countersign_contracts import DocumentMetadata
from countersign_platform.links import sign_document_link
from countersign_platform.outbound import HttpUnreachable, OutboundHttp

from countersign_publisher.ledger.errors import LedgerRefused, LedgerTransient

__all__ = ["DocumentUnavailable", "OriginalDocuments"]


class DocumentUnavailable(LedgerTransient):
    """Ingest could not hand the file over right now (it may later)."""


class OriginalDocuments:
    def __init__(self, http: OutboundHttp, ingest_url: str, secret: bytes, ttl_s: int) -> None:
        self._http = http
        self._ingest_url = ingest_url.rstrip("/")
        self._secret = secret
        self._ttl_s = ttl_s

    def link(self, document_id: UUID) -> str:
        return self._ingest_url + sign_document_link(self._secret, document_id, self._ttl_s)

    async def fetch(self, document: DocumentMetadata) -> bytes:
        try:
            response = await self._http.get(
                self.link(document.document_id), operation="ingest GET document"
            )
        except HttpUnreachable as exc:
            raise DocumentUnavailable(f"ingest unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise DocumentUnavailable(f"ingest answered {response.status_code} for the document")
        content = response.content
        if hashlib.sha256(content).hexdigest() != document.sha256:
            # Not the ledger's refusal, but as final: the stored file is not the one approved.
            raise LedgerRefused(
                [f"document {document.document_id} does not match its SHA-256"], status=None
            )
        return content
