"""Signed, expiring links to one stored document.

Ingest serves a document only to a link signed with the shared ``DOCUMENT_LINK_SECRET``; the
publisher (fetching the original file for Xero) and ingest itself (the "Open original document"
link) mint them. A link names one document and one expiry; changing either breaks the signature.

    /v1/documents/<document_id>?expires=<unix seconds>&signature=<hex HMAC-SHA256>
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode
from uuid import UUID

__all__ = ["document_path", "sign_document_link", "verify_document_link"]


def _signature(secret: bytes, document_id: UUID, expires: int) -> str:
    message = f"document:{document_id}:{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def document_path(document_id: UUID) -> str:
    return f"/v1/documents/{document_id}"


def sign_document_link(
    secret: bytes, document_id: UUID, ttl_s: int = 900, now: float | None = None
) -> str:
    """The path and query of a link that opens ``document_id`` for ``ttl_s`` seconds."""
    expires = int((time.time() if now is None else now) + ttl_s)
    query = urlencode({"expires": expires, "signature": _signature(secret, document_id, expires)})
    return f"{document_path(document_id)}?{query}"


def verify_document_link(
    secret: bytes, document_id: UUID, expires: int, signature: str, now: float | None = None
) -> bool:
    """True when the signature is ours for this document and expiry, and it has not expired."""
    if expires < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(_signature(secret, document_id, expires), signature)
