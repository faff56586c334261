"""What ingest knows about a Dext item: its versions and where each is on its journey.

    received ─▶ in_approval ─▶ authorised ─▶ published ◀─▶ publish_failed
                    └────────▶ rejected                           └─▶ publication_cancelled
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

from countersign_ingest.domain.refusals import NoNewVersion, NotWithdrawable

__all__ = [
    "BOUND_FOR_XERO",
    "ItemKind",
    "ItemStatus",
    "Journey",
    "StoredItem",
    "WithdrawalState",
    "content_digest",
    "refuse_new_version",
    "supersedes",
    "withdrawal_to_ask",
]


class ItemKind(StrEnum):
    """What Dext published: a cost item is approved before it is a bill; a bank transaction
    goes to Xero as it is."""

    COST_ITEM = "cost_item"
    BANK_TRANSACTION = "bank_transaction"


class ItemStatus(StrEnum):
    """Where a version is on its journey (the picture above)."""

    RECEIVED = "received"
    IN_APPROVAL = "in_approval"
    AUTHORISED = "authorised"
    REJECTED = "rejected"
    PUBLISHED = "published"
    PUBLISH_FAILED = "publish_failed"
    PUBLICATION_CANCELLED = "publication_cancelled"  # given up before Xero: republish to amend
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    REFUSED = "refused"


class WithdrawalState(StrEnum):
    """Dext's withdrawal of an item: asked of approval, then approval's answer."""

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
    # The publisher's last word on a publication (it gave it up): its events are in order.
    ItemStatus.PUBLICATION_CANCELLED: 4,
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


def _withdrawal(item: StoredItem) -> str:
    assert item.withdrawal is not None
    state = item.withdrawal.get("state")
    return "pending" if state == WithdrawalState.REQUESTED else f"{state}"


def refuse_new_version(current: StoredItem | None, kind: ItemKind) -> None:
    """Raises ``NoNewVersion`` unless ``current`` (None: a new item) may take a new version of
    ``kind``."""
    if current is None:
        return
    if current.kind != kind:
        raise NoNewVersion(f"item {current.dext_item_id} was published as a {current.kind}")
    if current.status in (ItemStatus.WITHDRAWN, ItemStatus.CANCELLED):
        raise NoNewVersion(f"item {current.dext_item_id} was {current.status}")
    if current.withdrawal is not None:
        raise NoNewVersion(f"item {current.dext_item_id} has a withdrawal {_withdrawal(current)}")
    # Once approved, the publisher may already be creating the bill: a new version would become
    # a second bill. Amending it is done in Xero (or by voiding there and publishing anew).
    if current.status in BOUND_FOR_XERO:
        raise NoNewVersion(
            f"item {current.dext_item_id} is {current.status} and on its way to (or in) Xero;"
            " amend it there"
        )


def withdrawal_to_ask(current: StoredItem) -> bool:
    """Whether Dext's withdrawal of ``current`` is to be asked of approval: False when it is
    withdrawn already or the answer is awaited (a repeat); ``NotWithdrawable`` when it cannot be.
    """
    dext_item_id = current.dext_item_id
    if current.kind != ItemKind.COST_ITEM:
        raise NotWithdrawable("a bank transaction goes straight to Xero; void it there")
    if current.status in (ItemStatus.WITHDRAWN, ItemStatus.CANCELLED):
        return False
    if current.withdrawal is not None:
        if current.withdrawal.get("state") == WithdrawalState.REQUESTED:
            return False
        raise NotWithdrawable(
            f"item {dext_item_id}'s withdrawal was refused: {current.withdrawal.get('refusal')}"
        )
    if current.status in BOUND_FOR_XERO:
        raise NotWithdrawable(
            f"item {dext_item_id} is {current.status} and on its way to (or in) Xero;"
            " void the bill there"
        )
    return True
