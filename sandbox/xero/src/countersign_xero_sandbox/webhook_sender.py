"""Sends webhook deliveries over HTTP, signed as Xero signs them, and runs intent to receive.
The loop, faults and signing are ``webhook_delivery.py``; what is Xero's:

    x-xero-signature = base64(HMAC-SHA256(raw body, webhook key))

    POST ─▶ a 2xx: delivered; anything else, or no answer within ``webhook_timeout_s``
         (real seconds): tried again after ``webhook_retry_s``, doubling, at most an hour
         apart (sandbox seconds); still failing 24 hours after its first try: abandoned, and
         the webhook DISABLED (Xero: "retry … for up to 24 hours", then the webhook is off)

Intent to receive: probes with no events, some signed with the webhook key and some not, in a
shuffled order; the webhook is OK only if every signed probe got 200 with an empty body and no
cookie, and every other one 401.
"""

from __future__ import annotations

import json
import random
from typing import Any

import httpx

from countersign_xero_sandbox.sandbox import Sandbox
from countersign_xero_sandbox.webhook_delivery import DeliveryLoop, sign
from countersign_xero_sandbox.webhooks import Delivery, Webhook

__all__ = ["WebhookSender", "sign"]

PROBES = (True, False, True, False, True, False)  # signed correctly or not
_DAY_S = 24 * 3600.0
_MAX_GAP_S = 3600.0


class WebhookSender(DeliveryLoop[Delivery, Webhook]):
    SIGNATURE_HEADER = "x-xero-signature"

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.sandbox = sandbox
        self._random = random.Random(sandbox.settings.seed)

    def endpoint(self, delivery: Delivery) -> Webhook | None:
        return self.sandbox.webhooks.webhooks.get(delivery.webhook_id)

    def key(self, endpoint: Webhook) -> str:
        return endpoint.key

    def acknowledged(self, status: int) -> bool:
        return 200 <= status < 300

    def retry_gap(self, failures: int) -> float:
        gap: float = self.sandbox.settings.webhook_retry_s * 2 ** min(failures - 1, 16)
        return min(gap, _MAX_GAP_S)

    def give_up(self, endpoint: Webhook, delivery: Delivery, now_s: float) -> bool:
        assert delivery.first_tried_at is not None
        if now_s - delivery.first_tried_at < _DAY_S:
            return False
        endpoint.status = "DISABLED"
        return True

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
                answer = await self.post(webhook.url, body, sign(body, key))
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
