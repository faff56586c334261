"""Changes in Xero, as its webhooks and the poll report them: the signature Xero puts on a
delivery, the events worth keeping, and when an event is older than what was already seen."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

__all__ = [
    "CATEGORIES",
    "ID_FIELDS",
    "ChangeEvent",
    "ObservedChange",
    "event_date",
    "older_than_seen",
    "signature_valid",
    "stored_form",
]

CATEGORIES = frozenset({"INVOICE", "CONTACT"})
ID_FIELDS = {"INVOICE": "InvoiceID", "CONTACT": "ContactID"}


def signature_valid(body: bytes, key: str, signature: str | None) -> bool:
    """Xero's ``x-xero-signature`` and Intuit's ``intuit-signature`` alike: base64(HMAC-SHA256(
    raw body, webhook key / verifier token)); compared in constant time."""
    if not signature or not key:
        return False
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode())


def event_date(value: str) -> datetime:
    """Xero's ``eventDateUtc`` ("2024-06-21T01:15:39.902", UTC without an offset) or QBO's
    ``lastUpdated`` ("2025-09-08T20:52:31.657Z") as an aware time."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ChangeEvent:
    """One event of a delivery, as recorded: its unique key is all of it."""

    tenant_id: str  # Xero's tenant, QBO's realm
    category: str  # INVOICE, CONTACT; QBO: BILL
    resource_id: UUID | str  # Xero's id; QBO's Id (text)
    event_date: datetime
    event_type: str  # CREATE, UPDATE; QBO: Create, Update, Delete, Void, Merge


def older_than_seen(event_at: datetime, seen_at: datetime | None) -> bool:
    """An event no later than the state already kept tells nothing new (deliveries may come
    out of order, and the state was fetched after the event it answered)."""
    return seen_at is not None and event_at <= seen_at


@dataclass(frozen=True)
class ObservedChange:
    """A newer state of an invoice or contact than the one kept before (None: first seen)."""

    organisation_id: UUID
    category: str
    resource_id: UUID
    previous: dict[str, Any] | None
    current: dict[str, Any]
    seen_by: str  # webhook, poll


def stored_form(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource as kept and as followers see it, before and after: JSON values, amounts as
    exact decimal strings (Xero's numbers are read as Decimals)."""
    kept: dict[str, Any] = json.loads(json.dumps(resource, default=str))
    return kept
