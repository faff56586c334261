"""A request body arrives in bounded time, or the caller gets a 408.

    headers read ─▶ the app asks for the body ─▶ every chunk by headers + <PREFIX>_BODY_TIMEOUT_S
                                                  └ not in time: 408 problem+json, connection
                                                    closed; the app is told the client left

A client that announced ``Content-Length: 1000`` and sent nothing (or a byte a minute) held a
connection and a coroutine for as long as it liked, and its leaving was logged as an unhandled
error. The deadline
counts from the request's headers, not between chunks, so a trickle does not reset it. The
default, 120 s, lets ingest's largest publication (10 MB file + 256 KB metadata + framing,
about 10.3 MB) through an uplink of 0.7 Mbit/s — a slow ADSL or mobile link; 1 Mbit/s takes
82 s.

Once the 408 is sent the app's own answer is dropped; it sees ``http.disconnect``, as it does
when a client really goes away, and the problem handlers log that at INFO without a traceback
(``problems.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyDeadline"]

log = logging.getLogger(__name__)

DISCONNECT: Message = {"type": "http.disconnect"}


class BodyDeadline:
    """ASGI middleware: the whole request body within ``timeout_s`` of the request's start."""

    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self._app = app
        self._timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self._timeout_s
        body_complete = timed_out = response_started = False

        async def receiving() -> Message:
            nonlocal body_complete, timed_out
            if timed_out:
                return DISCONNECT
            if body_complete:
                return await receive()  # only a disconnect can come now
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                timed_out = True
                log.warning(
                    "request body not received within %s s on %s %s: answered 408",
                    self._timeout_s,
                    scope["method"],
                    scope["path"],
                )
                if not response_started:
                    await _send_timeout(send, self._timeout_s, scope["path"])
                return DISCONNECT
            if message["type"] == "http.request" and not message.get("more_body", False):
                body_complete = True
            return message

        async def sending(message: Message) -> None:
            nonlocal response_started
            if timed_out:
                return  # the 408 was the answer
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self._app(scope, receiving, sending)


async def _send_timeout(send: Send, timeout_s: float, path: str) -> None:
    message = f"the request body did not arrive within {timeout_s:g} s"
    body = json.dumps(
        {
            "type": "urn:countersign:problem:request-timeout",
            "title": "Request body too slow",
            "status": 408,
            "detail": message,
            "instance": path,
            "errors": [{"field": "body", "rule": "body_timeout", "message": message}],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 408,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body may still be on its way: this connection carries nothing
                # more.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
