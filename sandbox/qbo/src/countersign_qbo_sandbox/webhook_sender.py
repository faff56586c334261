"""Sends webhook deliveries over HTTP, signed as Intuit signs them, with the Xero sandbox's
delivery loop (its ``webhook_delivery.py``: lanes, faults webhook_lost / webhook_duplicate /
webhook_delay on a first try, signing):

intuit-signature = base64(HMAC-SHA256(key = verifier token, msg = raw body))

  POST ─▶ a 200: acknowledged; anything else, or no answer within ``webhook_timeout_s``
  (real seconds, Intuit's 3 s): tried again after 10 s, 20 s, 30 s, 5 min, 20 min, 2 h, 4 h,
  6 h, then every 6 h (sandbox seconds: the time scale shortens them)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from countersign_xero_sandbox.webhook_delivery import DeliveryLoop, sign

from countersign_qbo_sandbox.webhooks import Delivery, Registration

if TYPE_CHECKING:
    from countersign_qbo_sandbox.sandbox import Sandbox

__all__ = ["RETRY_S", "WebhookSender", "sign"]

RETRY_S = (10.0, 20.0, 30.0, 300.0, 1200.0, 7200.0, 14400.0, 21600.0)  # then every 6 h


class WebhookSender(DeliveryLoop[Delivery, Registration]):
    SIGNATURE_HEADER = "intuit-signature"
    ORPHANED = "lost"

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.sandbox = sandbox

    def endpoint(self, delivery: Delivery) -> Registration | None:
        return self.sandbox.webhooks.registrations.get(delivery.registration_id)

    def key(self, endpoint: Registration) -> str:
        return endpoint.verifier_token

    def acknowledged(self, status: int) -> bool:
        return status == 200

    def retry_gap(self, failures: int) -> float:
        return RETRY_S[min(failures, len(RETRY_S)) - 1]
