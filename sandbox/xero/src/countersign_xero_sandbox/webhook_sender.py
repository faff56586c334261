"""Sends webhook deliveries over HTTP, signed as Xero signs them, and runs intent to receive.

    x-xero-signature = base64(HMAC-SHA256(raw body, webhook key))

    a tick (woken when events are queued or a delivery ends, else when the next retry is due)
      ─▶ new deliveries for idle lanes (webhooks.py) ─▶ each due one in a task of its own:
         faults, on its first try only: webhook_lost (never sent), webhook_duplicate (sent
         twice), webhook_delay (held ``seconds`` of sandbox time; later deliveries of its lane
         go first)
         ─▶ POST ─▶ a 2xx: delivered; anything else, or no answer within ``webhook_timeout_s``
         (real seconds): tried again after ``webhook_retry_s``, doubling, at most an hour
         apart (sandbox seconds); still failing 24 hours after its first try: abandoned, and
         the webhook DISABLED (Xero: "retry … for up to 24 hours", then the webhook is off)

Intent to receive: probes with no events, some signed with the webhook key and some not, in a
shuffled order; the webhook is OK only if every signed probe got 200 with an empty body and no
cookie, and every other one 401.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import random
from typing import Any

import httpx

from countersign_xero_sandbox.faults import WEBHOOK_KINDS
from countersign_xero_sandbox.sandbox import Sandbox
from countersign_xero_sandbox.webhooks import Delivery, Webhook, WebhookBook

__all__ = ["WebhookSender", "sign"]

PROBES = (True, False, True, False, True, False)  # signed correctly or not
_DAY_S = 24 * 3600.0
_MAX_GAP_S = 3600.0


def sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


class WebhookSender:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._random = random.Random(sandbox.settings.seed)
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

    async def _post(self, url: str, body: bytes, signature: str) -> httpx.Response:
        headers = {"Content-Type": "application/json", "x-xero-signature": signature}
        timeout = self.sandbox.settings.webhook_timeout_s
        async with httpx.AsyncClient(timeout=timeout) as client:
            return await client.post(url, content=body, headers=headers)

    # intent to receive -----------------------------------------------------------------------

    async def intent_to_receive(self, webhook: Webhook) -> bool:
        order = list(PROBES)
        self._random.shuffle(order)
        book = self.sandbox.webhooks
        probes = []
        for signed in order:
            payload = {"events": [], "firstEventSequence": 0, "lastEventSequence": 0}
            body = json.dumps({**payload, "entropy": book.entropy()}).encode()
            key = webhook.key if signed else webhook.key[::-1] + "x"
            probe: dict[str, Any] = {"signed": signed, "expected": 200 if signed else 401}
            try:
                answer = await self._post(webhook.url, body, sign(body, key))
            except httpx.HTTPError as exc:
                probe.update(status=None, error=type(exc).__name__, passed=False)
            else:
                clean = not signed or (answer.content == b"" and "set-cookie" not in answer.headers)
                passed = answer.status_code == probe["expected"] and clean
                probe.update(status=answer.status_code, body_bytes=len(answer.content))
                probe["passed"] = passed
            probes.append(probe)
        webhook.probes = probes
        webhook.status = "OK" if all(p["passed"] for p in probes) else "FAILED"
        return webhook.status == "OK"

    # deliveries -----------------------------------------------------------------------------

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
            waiting = [d.due_at - now for d in book.deliveries if _waits(d)]
            wait = clock.real_seconds(min(waiting)) if waiting else 1.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.005, min(wait, 1.0)))

    def _held_by_fault(self, book: WebhookBook, webhook: Webhook, delivery: Delivery) -> bool:
        """Applies the faults drawn for a first try; True when nothing is to be sent now."""
        faults = self.sandbox.faults
        for rule in faults.draw("POST", webhook.url, delivery.tenant_id, WEBHOOK_KINDS):
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
            webhook = book.webhooks.get(delivery.webhook_id)
            if webhook is None:
                delivery.state = "abandoned"
                return
            first = not delivery.attempts and not delivery.faults
            if first and self._held_by_fault(book, webhook, delivery):
                return
            body = json.dumps(delivery.payload()).encode()
            times = 2 if "duplicate" in delivery.faults and not delivery.attempts else 1
            outcomes = [await self._send(webhook, body) for _ in range(times)]
            delivery.attempts.extend(outcomes)
            self._settle(webhook, delivery, outcomes[0])
        finally:
            delivery.in_flight = False
            if self._wake is not None:
                self._wake.set()

    async def _send(self, webhook: Webhook, body: bytes) -> dict[str, Any]:
        outcome: dict[str, Any] = {"at": self.sandbox.clock.now().isoformat()}
        try:
            answer = await self._post(webhook.url, body, sign(body, webhook.key))
        except httpx.HTTPError as exc:
            outcome.update(status=None, error=type(exc).__name__)
        else:
            outcome["status"] = answer.status_code
        return outcome

    def _settle(self, webhook: Webhook, delivery: Delivery, outcome: dict[str, Any]) -> None:
        now = self.sandbox.clock.seconds()
        if delivery.first_tried_at is None:
            delivery.first_tried_at = now
        status = outcome.get("status")
        if status is not None and 200 <= status < 300:
            delivery.state = "delivered"
            return
        if now - delivery.first_tried_at >= _DAY_S:
            delivery.state = "abandoned"
            webhook.status = "DISABLED"
            return
        failures = len(delivery.attempts)
        gap = self.sandbox.settings.webhook_retry_s * 2 ** min(failures - 1, 16)
        delivery.due_at = now + min(gap, _MAX_GAP_S)


def _waits(delivery: Delivery) -> bool:
    return delivery.state == "pending" and not delivery.in_flight
