"""Webhooks an app registers (as in Xero's developer portal) and the events waiting for them.

    a write commits (Accounting API or a control-side edit)
      ─▶ ``notice``: every invoice or contact created (new id) or updated (UpdatedDateUTC moved)
         becomes an event for each webhook that is OK, subscribed to its category, and whose
         app is connected to the tenant
      ─▶ queued per (webhook, tenant) lane, numbered by the webhook's sequence
      ─▶ ``next_deliveries``: a lane with nothing in flight turns what waits (up to
         ``MAX_BATCH``) into one delivery, so a lane's deliveries go out one after the other
         and events that arrive meanwhile ride together in the next one

Sending, signing, retries and faults are ``webhook_sender.py``; the controls
``webhook_controls.py``. See docs/xero-sandbox.md (Webhooks).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from countersign_xero_sandbox.connections import Connections
from countersign_xero_sandbox.model import Record, Tenant, new_id
from countersign_xero_sandbox.webhook_delivery import DeliveryLanes, DeliveryState

__all__ = [
    "CATEGORIES",
    "MAX_BATCH",
    "Delivery",
    "Snapshot",
    "Webhook",
    "WebhookBook",
    "event_time",
]

CATEGORIES = ("INVOICE", "CONTACT")
MAX_BATCH = 100  # Xero documents no batch size; a delivery carries at most this many events.

Snapshot = dict[tuple[str, str], datetime]
"""(eventCategory, resource id) → UpdatedDateUTC, before a write."""


def event_time(moment: datetime) -> str:
    """``eventDateUtc`` as Xero writes it (the spec's examples): UTC, milliseconds, no offset."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


@dataclass
class Webhook:
    webhook_id: str
    client_id: str
    url: str
    key: str
    categories: tuple[str, ...] = CATEGORIES
    # PENDING until intent to receive ran; OK (events flow), FAILED (intent to receive not
    # passed: nothing is sent), DISABLED (deliveries failed for 24 hours).
    status: str = "PENDING"
    probes: list[dict[str, Any]] = field(default_factory=list)
    sequence: int = 0

    def view(self) -> dict[str, Any]:
        return {
            "webhook_id": self.webhook_id,
            "client_id": self.client_id,
            "url": self.url,
            "key": self.key,
            "categories": list(self.categories),
            "status": self.status,
            "probes": self.probes,
            "last_sequence": self.sequence,
        }


@dataclass
class Delivery(DeliveryState):
    webhook_id: str
    tenant_id: str
    events: list[Record]
    first_sequence: int
    last_sequence: int
    entropy: str
    delivery_id: str = field(default_factory=new_id)

    @property
    def lane(self) -> tuple[str, str]:
        return (self.webhook_id, self.tenant_id)

    def payload(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "firstEventSequence": self.first_sequence,
            "lastEventSequence": self.last_sequence,
            "entropy": self.entropy,
        }

    def view(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "webhook_id": self.webhook_id,
            "tenant_id": self.tenant_id,
            "state": self.state,
            "payload": self.payload(),
            "attempts": self.attempts,
            "faults": self.faults,
        }


@dataclass
class WebhookBook(DeliveryLanes[Delivery]):
    seed: int
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    waiting: dict[tuple[str, str], list[Record]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def entropy(self) -> str:
        return "".join(self._random.choices(string.ascii_uppercase, k=20))

    def register(
        self, client_id: str, url: str, key: str | None, categories: tuple[str, ...]
    ) -> Webhook:
        """A webhook for the app, or the app's webhook to this URL updated."""
        found = next(
            (w for w in self.webhooks.values() if w.client_id == client_id and w.url == url), None
        )
        if found is None:
            found = Webhook(new_id(), client_id, url, key or self._new_key(), categories)
            self.webhooks[found.webhook_id] = found
        else:
            found.key, found.categories = key or found.key, categories
        found.status = "PENDING"
        return found

    def _new_key(self) -> str:
        alphabet = string.ascii_letters + string.digits + "+/"
        return "".join(self._random.choices(alphabet, k=88))

    def watch(self, tenant: Tenant) -> Snapshot | None:
        """What a write may change, when some webhook could hear of it (else None: no cost)."""
        if not any(w.status == "OK" for w in self.webhooks.values()):
            return None
        seen: Snapshot = {("INVOICE", k): v["UpdatedDateUTC"] for k, v in tenant.invoices.items()}
        seen.update({("CONTACT", k): v["UpdatedDateUTC"] for k, v in tenant.contacts.items()})
        return seen

    def notice(
        self,
        tenant: Tenant,
        before: Snapshot,
        connections: Connections,
        resource_url: Any,
        now: datetime,
    ) -> int:
        """Queues an event for each change since ``before``; how many changes there were."""
        after: list[tuple[str, str, Record]] = [
            *(("INVOICE", k, v) for k, v in tenant.invoices.items()),
            *(("CONTACT", k, v) for k, v in tenant.contacts.items()),
        ]
        changes = []
        for category, resource_id, record in after:
            old = before.get((category, resource_id))
            if old is None or old != record["UpdatedDateUTC"]:
                changes.append((category, resource_id, "CREATE" if old is None else "UPDATE"))
        for webhook in self.webhooks.values():
            if webhook.status != "OK" or not connections.of_tenant(
                webhook.client_id, tenant.tenant_id
            ):
                continue
            lane = self.waiting.setdefault((webhook.webhook_id, tenant.tenant_id), [])
            for category, resource_id, kind in changes:
                if category not in webhook.categories:
                    continue
                webhook.sequence += 1
                folder = "Invoices" if category == "INVOICE" else "Contacts"
                lane.append(
                    {
                        "resourceUrl": resource_url(f"/{folder}/{resource_id}"),
                        "resourceId": resource_id,
                        "eventDateUtc": event_time(now),
                        "eventType": kind,
                        "eventCategory": category,
                        "tenantId": tenant.tenant_id,
                        "tenantType": "ORGANISATION",
                        "sequence": webhook.sequence,  # removed before sending
                    }
                )
        return len(changes)

    def next_deliveries(self, now_s: float) -> list[Delivery]:
        """New deliveries for every lane with events waiting and nothing in flight."""
        made = []
        for (webhook_id, tenant_id), events in self.waiting.items():
            if not events or self._busy((webhook_id, tenant_id)):
                continue
            batch, events[:] = events[:MAX_BATCH], events[MAX_BATCH:]
            numbers = [e.pop("sequence") for e in batch]
            delivery = Delivery(
                webhook_id, tenant_id, batch, numbers[0], numbers[-1], self.entropy(), due_at=now_s
            )
            self.deliveries.append(delivery)
            made.append(delivery)
        return made

    def of_webhook(self, webhook_id: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.webhook_id == webhook_id]
