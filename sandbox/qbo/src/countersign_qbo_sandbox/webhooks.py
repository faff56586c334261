"""Webhook registrations (URL and verifier token, as on Intuit's developer portal) and the
events waiting for them (Intuit's legacy payload).

    an Accounting write commits ─▶ ``notice``: the realm's change log entries not seen yet
      become ``{name, id, operation, lastUpdated}`` events, one per registration, queued per
      (registration, realm) lane
    ─▶ ``next_deliveries``: a lane with nothing unacknowledged turns what waits into one
      delivery for that realm (``eventNotifications[0]``), its entities in no promised order;
      later events wait until the delivery before is acknowledged

Sending, signing, retries and faults: ``webhook_sender.py``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from countersign_xero_sandbox.webhook_delivery import DeliveryLanes, DeliveryState

from countersign_qbo_sandbox.model import Realm, Record

__all__ = ["Delivery", "Registration", "WebhookBook", "event_time"]


def event_time(moment: datetime) -> str:
    """``lastUpdated`` as Intuit writes it: UTC, milliseconds, ``Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass
class Registration:
    registration_id: str
    url: str
    verifier_token: str

    def view(self) -> dict[str, Any]:
        return {"registration_id": self.registration_id, "url": self.url}


@dataclass
class Delivery(DeliveryState):
    registration_id: str
    realm_id: str
    entities: list[Record]
    delivery_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def lane(self) -> tuple[str, str]:
        return (self.registration_id, self.realm_id)

    def payload(self) -> dict[str, Any]:
        return {
            "eventNotifications": [
                {"realmId": self.realm_id, "dataChangeEvent": {"entities": self.entities}}
            ]
        }

    def view(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "registration_id": self.registration_id,
            "realm_id": self.realm_id,
            "state": self.state,
            "payload": self.payload(),
            "attempts": self.attempts,
            "faults": self.faults,
        }


class WebhookBook(DeliveryLanes[Delivery]):
    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)
        self.registrations: dict[str, Registration] = {}
        self.deliveries: list[Delivery] = []
        self.waiting: dict[tuple[str, str], list[Record]] = {}
        # Per realm: how much of its change log has become events already.
        self._seen: dict[str, int] = {}

    def register(self, url: str, verifier_token: str, realms: list[Realm]) -> Registration:
        """A registration for ``url`` (or its token replaced); it hears of changes from now."""
        found = next((r for r in self.registrations.values() if r.url == url), None)
        if found is None:
            found = Registration(uuid.uuid4().hex, url, verifier_token)
            self.registrations[found.registration_id] = found
        found.verifier_token = verifier_token
        for realm in realms:
            self._seen[realm.realm_id] = len(realm.changes)
        return found

    def unregister(self, registration_id: str) -> bool:
        """Removes a registration and the events waiting for it; whether it was there. A
        delivery still being tried finds no endpoint and is lost."""
        if self.registrations.pop(registration_id, None) is None:
            return False
        for lane in [lane for lane in self.waiting if lane[0] == registration_id]:
            del self.waiting[lane]
        return True

    def notice(self, realm: Realm) -> int:
        """Queues the realm's new changes for every registration; how many there were."""
        start = self._seen.get(realm.realm_id, 0)
        changes = realm.changes[start:]
        self._seen[realm.realm_id] = len(realm.changes)
        if not self.registrations or not changes:
            return 0
        for registration_id in self.registrations:
            lane = self.waiting.setdefault((registration_id, realm.realm_id), [])
            lane.extend(
                {
                    "name": c.entity,
                    "id": c.entity_id,
                    "operation": c.operation,
                    "lastUpdated": event_time(c.at),
                }
                for c in changes
            )
        return len(changes)

    def next_deliveries(self, now_s: float) -> list[Delivery]:
        """New deliveries for every lane with events waiting and nothing unacknowledged."""
        made = []
        for (registration_id, realm_id), events in self.waiting.items():
            if not events or self._busy((registration_id, realm_id)):
                continue
            batch = list(events)
            events.clear()
            self._random.shuffle(batch)  # Intuit promises no order: the timestamp is the truth
            delivery = Delivery(registration_id, realm_id, batch, due_at=now_s)
            self.deliveries.append(delivery)
            made.append(delivery)
        return made

    def view(self) -> dict[str, Any]:
        return {
            "registrations": [r.view() for r in self.registrations.values()],
            "deliveries": [d.view() for d in self.deliveries],
        }
