"""Dext's side of the API: every call signed the way Dext signs it (docs/ingest-api.md).

The signature is computed here independently of ingest's code, as any other client would from
the documentation, so the two checking each other is a test of the documented scheme.

    async with DextClient(ingest_url, organisation_id, secret) as dext:
        response = await dext.publish_cost_item(metadata, "INV-1.pdf", pdf_bytes)
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import Any
from uuid import UUID

import httpx

__all__ = ["DextClient", "signature_for"]

# One verifying TLS context for every client: httpx builds one per client otherwise, reading
# the whole CA bundle (about 30 ms of CPU) each time.
_tls = functools.cache(httpx.create_ssl_context)


def signature_for(secret: str, timestamp: str, method: str, target: str, body: bytes) -> str:
    """``X-Dext-Signature`` for a call: v1= hex HMAC-SHA256 over
    "<timestamp>.<METHOD>.<path?query>." followed by the raw body."""
    message = f"{timestamp}.{method.upper()}.{target}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class DextClient:
    def __init__(
        self,
        ingest_url: str,
        organisation_id: UUID | str,
        secret: str,
        *,
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.organisation_id = str(organisation_id)
        self._secret = secret
        self._http = httpx.AsyncClient(
            base_url=ingest_url, timeout=timeout_s, transport=transport, verify=_tls()
        )

    async def __aenter__(self) -> DextClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def _base(self) -> str:
        return f"/v1/organisations/{self.organisation_id}"

    def build(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        metadata: Mapping[str, Any] | str | None = None,
        file: tuple[str, bytes, str] | None = None,
    ) -> httpx.Request:
        """An unsigned request (``sign`` it, or tamper with it first in a test)."""
        if metadata is not None or file is not None:
            data = {}
            if metadata is not None:
                data["metadata"] = metadata if isinstance(metadata, str) else json.dumps(metadata)
            files = {"file": file} if file is not None else None
            return self._http.build_request(method, path, params=params, data=data, files=files)
        content = None if json_body is None else json.dumps(json_body).encode()
        headers = {"content-type": "application/json"} if content is not None else None
        return self._http.build_request(
            method, path, params=params, content=content, headers=headers
        )

    def sign(
        self, request: httpx.Request, *, timestamp: float | None = None, secret: str | None = None
    ) -> httpx.Request:
        body = request.read()
        stamp = f"{time.time() if timestamp is None else timestamp:.6f}"
        target = request.url.raw_path.decode("ascii")
        request.headers["X-Dext-Timestamp"] = stamp
        request.headers["X-Dext-Signature"] = signature_for(
            self._secret if secret is None else secret, stamp, request.method, target, body
        )
        return request

    async def send(self, request: httpx.Request) -> httpx.Response:
        return await self._http.send(request)

    async def publish_cost_item(
        self, metadata: Mapping[str, Any], file_name: str, content: bytes, media_type: str = ""
    ) -> httpx.Response:
        file = (file_name, content, media_type or "application/octet-stream")
        request = self.build("POST", f"{self._base}/cost-items", metadata=metadata, file=file)
        return await self.send(self.sign(request))

    async def publish_bank_transaction(
        self, metadata: Mapping[str, Any], file_name: str, content: bytes, media_type: str = ""
    ) -> httpx.Response:
        file = (file_name, content, media_type or "application/octet-stream")
        request = self.build(
            "POST", f"{self._base}/bank-transactions", metadata=metadata, file=file
        )
        return await self.send(self.sign(request))

    async def withdraw(self, dext_item_id: str, reason: str | None = None) -> httpx.Response:
        body = {} if reason is None else {"reason": reason}
        request = self.build(
            "POST", f"{self._base}/cost-items/{dext_item_id}/withdrawal", json_body=body
        )
        return await self.send(self.sign(request))

    async def item_status(self, dext_item_id: str) -> httpx.Response:
        return await self.send(self.sign(self.build("GET", f"{self._base}/items/{dext_item_id}")))

    async def suppliers(
        self, changed_since: datetime | None = None, page_size: int = 100
    ) -> list[dict[str, Any]]:
        """Every supplier changed since ``changed_since`` (all when None), following pages."""
        return await self.pull("suppliers", changed_since, page_size)

    async def pull(
        self,
        collection: str,
        changed_since: datetime | None = None,
        page_size: int = 100,
        **filters: str,
    ) -> list[dict[str, Any]]:
        """Every entry of ``collection`` (``suppliers``, ``accounts``, ``tax-rates``,
        ``tracking-categories``) changed since ``changed_since`` (all when None), following
        pages; ``filters`` are further query parameters (``bank_accounts_only="true"``)."""
        found: list[dict[str, Any]] = []
        params = {"limit": str(page_size), **filters}
        if changed_since is not None:
            params["changed_since"] = changed_since.isoformat()
        key = collection.replace("-", "_")
        while True:
            request = self.build("GET", f"{self._base}/{collection}", params=params)
            response = await self.send(self.sign(request))
            response.raise_for_status()
            page = response.json()
            found += page[key]
            if not page["next_cursor"]:
                return found
            params = {"limit": str(page_size), **filters, "cursor": page["next_cursor"]}

    async def ledger_settings(self) -> dict[str, Any]:
        request = self.build("GET", f"{self._base}/ledger-settings")
        response = await self.send(self.sign(request))
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found
