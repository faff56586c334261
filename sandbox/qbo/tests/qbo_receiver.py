"""A QBO webhook receiver for the sandbox's tests: served on loopback in a thread of its own, it
checks ``intuit-signature`` as an app must (401 when wrong), answers 500 to the next
``fail_next`` deliveries when told, and keeps the raw bodies it acknowledged."""

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
    verifier_token: str
    url: str = ""
    fail_next: int = 0
    bodies: list[bytes] = field(default_factory=list)
    refused: int = 0
    failed: int = 0

    def valid(self, body: bytes, signature: str) -> bool:
        digest = hmac.new(self.verifier_token.encode(), body, hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), signature)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        if not self.valid(body, request.headers.get("intuit-signature", "")):
            self.refused += 1
            return Response(status_code=401)
        if self.fail_next > 0:
            self.fail_next -= 1
            self.failed += 1
            return Response(status_code=500)
        self.bodies.append(body)
        return Response(status_code=200)

    def entities(self) -> list[dict[str, Any]]:
        return [
            {**entity, "realmId": note["realmId"]}
            for body in self.bodies
            for note in json.loads(body)["eventNotifications"]
            for entity in note["dataChangeEvent"]["entities"]
        ]

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while len(self.entities()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.entities()


@contextlib.contextmanager
def receiving(receiver: Receiver) -> Iterator[Receiver]:
    port = free_port()
    app = Starlette(routes=[Route("/qbo/webhooks", receiver.handle, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"qbo-receiver-{port}", daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    receiver.url = f"http://127.0.0.1:{port}/qbo/webhooks"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
