"""A QBO webhook receiver for the sandbox's tests: the Xero sandbox tests' receiver, checking
``intuit-signature`` (the verifier token as key) and reading Intuit's payload."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sandbox.xero.tests.webhook_receiver import SignedReceiver, receiving

__all__ = ["Receiver", "receiving"]


@dataclass
class Receiver(SignedReceiver):
    HEADER = "intuit-signature"
    PATH = "/qbo/webhooks"

    def items(self) -> list[dict[str, Any]]:
        return [
            {**entity, "realmId": note["realmId"]}
            for body in self.bodies
            for note in json.loads(body)["eventNotifications"]
            for entity in note["dataChangeEvent"]["entities"]
        ]
