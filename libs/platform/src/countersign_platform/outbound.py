"""Outbound HTTP: the calls a service makes to other systems (the publisher's to Xero and to
ingest's document links; the benchmark baseline's last hop), behind one small interface.

aiohttp underneath (ADR 0039): a call costs about a tenth of the CPU httpx spends on it, and the
publisher makes several per bill. Callers see ``HttpResponse`` and ``HttpUnreachable``, never
the library's types, so the client stays replaceable and tests can speak plain HTTP to it.

    http = OutboundHttp(timeout_s=30, max_connections=20)
    response = await http.request("PUT", url, json={...}, headers={...})
    response.status_code, response.headers["retry-after"], response.json()
    await http.aclose()

Each call is a client span (tracing on, ADR 0059) named by its ``operation`` (e.g. "Xero
create_bills"), and carries that span's ``traceparent``. The span records the method, the host
and the status; never the URL's path or query, a header or a body.

JSON goes both ways through ``decimal_json``: a ``Decimal`` is sent as the exact number it is,
and a number with a fraction in an answer is read as a ``Decimal`` — money never passes through
a binary float.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from countersign_platform import decimal_json
from countersign_platform.tracing import SpanKind, record_context, span

__all__ = ["HttpResponse", "HttpTimeout", "HttpUnreachable", "OutboundHttp"]


class HttpUnreachable(Exception):
    """No answer: the connection was refused, dropped or reset before a response came."""


class HttpTimeout(HttpUnreachable):
    """No answer within the client's timeout."""


@dataclass(frozen=True)
class HttpResponse:
    status_code: int
    headers: Mapping[str, str]  # case-insensitive
    content: bytes

    def json(self) -> Any:
        """The body as JSON; numbers with a fraction are ``Decimal``."""
        return decimal_json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class OutboundHttp:
    """A pooled, keep-alive HTTP client. Created outside an event loop, it opens its session
    on the first request; ``aclose`` releases the connections."""

    def __init__(self, *, timeout_s: float = 30.0, max_connections: int = 100) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=self._max_connections),
                # Responses are read whole and cookies are never wanted back.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        operation: str | None = None,
    ) -> HttpResponse:
        """Sends one request and reads the whole answer. ``url`` is sent as written (its path
        already percent-encoded); ``params`` are encoded and appended. ``operation`` names the
        call's span (default: the method)."""
        target = URL(url, encoded=True)
        with span(
            operation or method,
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": method,
                "server.address": target.host,
                "server.port": target.port,
            },
        ) as call:
            sent_headers = dict(headers) if headers else {}
            record_context(sent_headers)
            response = await self._send(method, target, params, json, content, form, sent_headers)
            call.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 400:
                call.set_attribute("error.type", str(response.status_code))
            return response

    async def _send(
        self,
        method: str,
        url: URL,
        params: Mapping[str, str] | None,
        json: Any,
        content: bytes | None,
        form: Mapping[str, str] | None,
        sent_headers: dict[str, str],
    ) -> HttpResponse:
        data: Any = content if content is not None else (dict(form) if form else None)
        if json is not None:
            data = decimal_json.dumps(json)
            sent_headers.setdefault("Content-Type", "application/json")
        try:
            async with self._open().request(
                method,
                url,
                params=dict(params) if params else None,
                data=data,
                headers=sent_headers or None,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                return HttpResponse(response.status, response.headers, body)
        except TimeoutError as exc:
            raise HttpTimeout(f"no answer from {method} {_where(url)} in time") from exc
        except aiohttp.ClientError as exc:
            raise HttpUnreachable(f"{method} {_where(url)}: {type(exc).__name__}") from exc

    async def get(self, url: str, **kwargs: Any) -> HttpResponse:
        return await self.request("GET", url, **kwargs)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            # Lets the connector's transports finish closing before the loop ends.
            await asyncio.sleep(0)
            self._session = None


def _where(url: URL) -> str:
    """The scheme, host and path of ``url``: never its query, which may carry a signature."""
    return str(url).split("?", 1)[0]
