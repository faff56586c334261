"""Sends webhook deliveries over HTTP, signed as Intuit signs them:

intuit-signature = base64(HMAC-SHA256(key = verifier token, msg = raw body))

a tick (woken when events are queued or a delivery ends, else when the next retry is due)
  ─▶ new deliveries for idle lanes (webhooks.py) ─▶ each due one in a task of its own:
     faults, on its first try only, as the Xero sandbox's: webhook_lost (never sent),
     webhook_duplicate (sent twice), webhook_delay (held ``seconds`` of sandbox time; later
     deliveries of its lane go first)
     ─▶ POST ─▶ a 200: acknowledged; anything else, or no answer within
     ``webhook_timeout_s`` (real seconds, Intuit's 3 s): tried again after 10 s, 20 s,
     30 s, 5 min, 20 min, 2 h, 4 h, 6 h, then every 6 h (sandbox seconds: the time scale
     shortens them)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING, Any

import httpx
from countersign_xero_sandbox.faults import WEBHOOK_KINDS
from countersign_xero_sandbox.webhook_sender import sign

from countersign_qbo_sandbox.webhooks import Delivery, Registration, WebhookBook

if TYPE_CHECKING:
    from countersign_qbo_sandbox.sandbox import Sandbox

__all__ = ["RETRY_S", "WebhookSender", "sign"]

RETRY_S = (10.0, 20.0, 30.0, 300.0, 1200.0, 7200.0, 14400.0, 21600.0)  # then every 6 h


class WebhookSender:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._attempts: set[asyncio.Task[None]] = set()

    def kick(self) -> None:
        """Wakes the sender; started on first use, inside the server's event loop."""
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="webhooks")
        assert self._wake is not None
        self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        clock = self.sandbox.clock
        while True:
            self._wake.clear()
            book = self.sandbox.webhooks
            now = clock.seconds()
            book.next_deliveries(now)
            for delivery in book.due(now):
                delivery.in_flight = True
                task = asyncio.create_task(self._attempt(book, delivery))
                self._attempts.add(task)
                task.add_done_callback(self._attempts.discard)
            waiting = [
                d.due_at - now for d in book.deliveries if d.state == "pending" and not d.in_flight
            ]
            wait = clock.real_seconds(min(waiting)) if waiting else 1.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.005, min(wait, 1.0)))

    def _held_by_fault(self, registration: Registration, delivery: Delivery) -> bool:
        """Applies the faults drawn for a first try; True when nothing is to be sent now."""
        faults = self.sandbox.faults
        for rule in faults.draw("POST", registration.url, delivery.realm_id, WEBHOOK_KINDS):
            kind = rule.fault.removeprefix("webhook_")
            delivery.faults.append(kind)
            if kind == "lost":
                delivery.state = "lost"
                return True
            if kind == "delay":
                delivery.due_at = self.sandbox.clock.seconds() + rule.seconds
                delivery.in_lane = False
        return "delay" in delivery.faults

    async def _attempt(self, book: WebhookBook, delivery: Delivery) -> None:
        try:
            registration = book.registrations.get(delivery.registration_id)
            if registration is None:
                delivery.state = "lost"
                return
            first = not delivery.attempts and not delivery.faults
            if first and self._held_by_fault(registration, delivery):
                return
            body = json.dumps(delivery.payload()).encode()
            times = 2 if "duplicate" in delivery.faults and not delivery.attempts else 1
            outcomes = [await self._send(registration, body) for _ in range(times)]
            delivery.attempts.extend(outcomes)
            self._settle(delivery, outcomes[0])
        finally:
            delivery.in_flight = False
            if self._wake is not None:
                self._wake.set()

    async def _send(self, registration: Registration, body: bytes) -> dict[str, Any]:
        outcome: dict[str, Any] = {"at": self.sandbox.clock.now().isoformat()}
        headers = {
            "Content-Type": "application/json",
            "intuit-signature": sign(body, registration.verifier_token),
        }
        timeout = self.sandbox.settings.webhook_timeout_s
        try:
            async with httpx.AsyncClient(timeout=timeout) as client:
                answer = await client.post(registration.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            outcome.update(status=None, error=type(exc).__name__)
        else:
            outcome["status"] = answer.status_code
        return outcome

    def _settle(self, delivery: Delivery, outcome: dict[str, Any]) -> None:
        if outcome.get("status") == 200:
            delivery.state = "delivered"
            return
        failures = len(delivery.attempts)
        gap = RETRY_S[min(failures, len(RETRY_S)) - 1]
        delivery.due_at = self.sandbox.clock.seconds() + gap
