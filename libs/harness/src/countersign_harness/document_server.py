"""Ingest's signed-link route for originals, served from memory: what the publisher fetches
documents from when ingest itself is not running."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from countersign_platform.links import verify_document_link

__all__ = ["DocumentServer"]


class DocumentServer:
    """Serves originals on ingest's route, only to links signed with the shared secret."""

    def __init__(self, secret: str) -> None:
        self.documents: dict[UUID, tuple[bytes, str]] = {}
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                try:
                    document_id = UUID(url.path.removeprefix("/v1/documents/"))
                    expires = int(query["expires"][0])
                    signature = query["signature"][0]
                except (ValueError, KeyError):
                    self.send_error(404)
                    return
                if not verify_document_link(secret.encode(), document_id, expires, signature):
                    self.send_error(403)
                    return
                found = server.documents.get(document_id)
                if found is None:
                    self.send_error(404)
                    return
                server.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", found[1])
                self.send_header("Content-Length", str(len(found[0])))
                self.end_headers()
                self.wfile.write(found[0])

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> DocumentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add(self, document_id: UUID, content: bytes, media_type: str = "application/pdf") -> None:
        self.documents[document_id] = (content, media_type)
