"""A webhook receiver for the sandbox's webhook tests: served on a free port in a thread of its
own, it checks ``x-xero-signature`` as an app must, answers as told and keeps what it got."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from countersign_xero_sandbox.harness import free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["Receiver", "receiving"]


@dataclass
class Receiver:
    key: str
    url: str = ""
    # Answers with this status (500) to the next ``fail_next`` correctly signed deliveries.
    fail_next: int = 0
    # Answers 200 whatever the signature (a receiver that does not check).
    trusting: bool = False
    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0

    def valid(self, body: bytes, signature: str) -> bool:
        digest = hmac.new(self.key.encode(), body, hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), signature)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        if not self.trusting and not self.valid(body, request.headers.get("x-xero-signature", "")):
            self.refused += 1
            return Response(status_code=401)
        payload = json.loads(body)
        if payload["events"] and self.fail_next > 0:
            self.fail_next -= 1
            return Response(status_code=500)
        if payload["events"]:
            self.received.append(payload)
        return Response(status_code=200)

    def events(self) -> list[dict[str, Any]]:
        return [event for payload in self.received for event in payload["events"]]

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while len(self.events()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.events()


@contextlib.contextmanager
def receiving(receiver: Receiver) -> Iterator[Receiver]:
    port = free_port()
    app = Starlette(routes=[Route("/xero/webhooks", receiver.handle, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"receiver-{port}", daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    receiver.url = f"http://127.0.0.1:{port}/xero/webhooks"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
