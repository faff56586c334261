"""A webhook receiver for the sandboxes' webhook tests (the Xero sandbox's and the QBO
sandbox's): served on a free port in a thread of its own, it checks the signature header as an
app must (401 when wrong), answers 500 to the next ``fail_next`` deliveries when told, and
keeps the raw bodies it acknowledged. ``Receiver`` is Xero's; the QBO tests subclass
``SignedReceiver`` for Intuit's header and payload."""

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
from typing import Any, ClassVar, TypeVar

import uvicorn
from countersign_xero_sandbox.hosting import free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["Receiver", "SignedReceiver", "receiving"]


@dataclass
class SignedReceiver:
    HEADER: ClassVar[str]
    PATH: ClassVar[str]

    key: str
    url: str = ""
    # Answers 500 to the next ``fail_next`` correctly signed deliveries.
    fail_next: int = 0
    # Answers 200 whatever the signature (a receiver that does not check).
    trusting: bool = False
    bodies: list[bytes] = field(default_factory=list)
    refused: int = 0
    failed: int = 0

    def valid(self, body: bytes, signature: str) -> bool:
        digest = hmac.new(self.key.encode(), body, hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), signature)

    def counts(self, body: bytes) -> bool:
        """Whether ``body`` is a delivery to fail or keep (not a probe)."""
        return True

    def items(self) -> list[dict[str, Any]]:
        """The events (or entities) of every kept body, in order."""
        raise NotImplementedError

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        if not self.trusting and not self.valid(body, request.headers.get(self.HEADER, "")):
            self.refused += 1
            return Response(status_code=401)
        if self.counts(body) and self.fail_next > 0:
            self.fail_next -= 1
            self.failed += 1
            return Response(status_code=500)
        if self.counts(body):
            self.bodies.append(body)
        return Response(status_code=200)

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while len(self.items()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.items()


@dataclass
class Receiver(SignedReceiver):
    HEADER = "x-xero-signature"
    PATH = "/xero/webhooks"

    def counts(self, body: bytes) -> bool:
        return bool(json.loads(body)["events"])  # intent to receive's probes carry none

    @property
    def received(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.bodies]

    def items(self) -> list[dict[str, Any]]:
        return [event for payload in self.received for event in payload["events"]]


R = TypeVar("R", bound=SignedReceiver)


@contextlib.contextmanager
def receiving(receiver: R) -> Iterator[R]:
    port = free_port()
    app = Starlette(routes=[Route(receiver.PATH, receiver.handle, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"receiver-{port}", daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    receiver.url = f"http://127.0.0.1:{port}{receiver.PATH}"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
