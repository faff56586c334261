"""What ingest knows about a Dext item: its versions and where each is on its journey.

    received ─▶ in_approval ─▶ authorised ─▶ published ◀─▶ publish_failed
                    └────────▶ rejected
    any ─▶ withdrawn (deleted in Dext) | cancelled (stopped by an administrator)
    received ─▶ refused (a new version approval did not take: an earlier one is authorised)

News arrives on two topics (approval.requests.v1, ledger.publications.v1) with no order between
them, so a status only ever moves forward: late news of an earlier stage is ignored. Each
version keeps its own journey; the item shows its latest version's, or — when approval refused
that one — the journey of the version approval kept.

Withdrawing is asked of approval, not decided here: ingest's copy of the status may be behind
(an approval a moment ago). The withdrawal stays ``requested`` until approval cancels the
request (withdrawn) or refuses because the request is authorised (ADR 0024).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

__all__ = [
    "BOUND_FOR_XERO",
    "ItemKind",
    "ItemStatus",
    "Journey",
    "StoredItem",
    "WithdrawalState",
    "content_digest",
    "supersedes",
]


class ItemKind(StrEnum):
    COST_ITEM = "cost_item"
    BANK_TRANSACTION = "bank_transaction"


class ItemStatus(StrEnum):
    RECEIVED = "received"
    IN_APPROVAL = "in_approval"
    AUTHORISED = "authorised"
    REJECTED = "rejected"
    PUBLISHED = "published"
    PUBLISH_FAILED = "publish_failed"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    REFUSED = "refused"


class WithdrawalState(StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"


_STAGE = {
    ItemStatus.RECEIVED: 0,
    ItemStatus.IN_APPROVAL: 1,
    ItemStatus.AUTHORISED: 2,
    ItemStatus.REJECTED: 2,
    # A failed publication can be retried into a published one, and a published bill can fail
    # a later step (an attachment): the latest of the two wins.
    ItemStatus.PUBLISHED: 3,
    ItemStatus.PUBLISH_FAILED: 3,
    ItemStatus.WITHDRAWN: 9,
    ItemStatus.CANCELLED: 9,
    ItemStatus.REFUSED: 9,
}

BOUND_FOR_XERO = frozenset({ItemStatus.AUTHORISED, ItemStatus.PUBLISHED, ItemStatus.PUBLISH_FAILED})
"""Past authorisation: a new version or a withdrawal would be refused by approval anyway."""


def supersedes(new: ItemStatus, current: ItemStatus) -> bool:
    """Whether news that the item reached ``new`` replaces what is shown (``current``)."""
    if _STAGE[current] == 9:
        return False
    return _STAGE[new] >= _STAGE[current]


def content_digest(content: dict[str, Any], file_sha256: str) -> str:
    """Identifies a publication (metadata and file), so publishing the same one is a no-op."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{canonical}\n{file_sha256}".encode()).hexdigest()


@dataclass(frozen=True)
class StoredItem:
    """An item as Dext sees it: its latest version's content, and the journey of the version it
    shows (``shown_version``: the latest, unless approval refused it for an earlier one)."""

    organisation_id: UUID
    dext_item_id: str
    kind: str
    latest_version: int
    shown_version: int
    correlation_id: UUID
    content_sha256: str
    document_id: UUID
    payload: dict[str, Any]
    status: str
    status_detail: dict[str, Any]
    withdrawal: dict[str, Any] | None
    refused_republish: dict[str, Any] | None
    updated_at: datetime


@dataclass(frozen=True)
class Journey:
    """What a status change needs of an item: one version's status, whether that version is
    the one shown, and the withdrawal Dext asked for, if any."""

    status: str
    shown: bool
    withdrawal: dict[str, Any] | None
