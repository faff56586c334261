"""Ingest's use cases for what Dext sends: publish a cost item or a bank transaction (a new
version, or an idempotent repeat), and withdraw an item. Each one commits its rows and its event
(through the outbox) in one transaction, together with the call's signature, so a replayed call
and a refused one leave nothing behind.

Ingest refuses at once what its own copy of the status already rules out (a new version or a
withdrawal of an item bound for Xero); where its copy may be behind, approval decides and
answers with an event (ADR 0024).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from countersign_contracts import (
    BANK_TRANSACTIONS,
    COST_ITEMS,
    CostItemSubmitted,
    CostItemWithdrawn,
    DocumentMetadata,
    EventPayload,
    new_envelope,
)
from countersign_platform.outbox import enqueue

from countersign_ingest.db.credentials import remember_signature
from countersign_ingest.db.documents import Documents
from countersign_ingest.db.items import Items, lock_item
from countersign_ingest.domain.bills import to_bank_transaction, to_bill
from countersign_ingest.domain.items import (
    BOUND_FOR_XERO,
    ItemKind,
    ItemStatus,
    StoredItem,
    WithdrawalState,
    content_digest,
)
from countersign_ingest.domain.metadata import BankTransactionMetadata, CostItemMetadata

__all__ = [
    "PRODUCER",
    "ItemConflict",
    "ItemNotFound",
    "Receipt",
    "Replayed",
    "Upload",
    "submit_bank_transaction",
    "submit_cost_item",
    "withdraw_item",
]

PRODUCER = "ingest"


class Replayed(Exception):
    """The call's signature was accepted before."""


class ItemNotFound(Exception):
    pass


class ItemConflict(Exception):
    """The call does not fit the item's state (withdrawn, already in Xero, another kind)."""


@dataclass(frozen=True)
class Upload:
    """An original file whose type and name have been checked."""

    file_name: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


EventBuilder = Callable[[int, "int | None", DocumentMetadata], "tuple[EventPayload, str]"]
"""Builds the event of a new version (number, version it supersedes, stored document)."""


@dataclass(frozen=True)
class Receipt:
    dext_item_id: str
    version: int
    correlation_id: UUID
    document_id: UUID
    created: bool


async def _begin(
    conn: asyncpg.Connection, organisation_id: UUID, dext_item_id: str, signature: str
) -> StoredItem | None:
    if not await remember_signature(conn, organisation_id, signature):
        raise Replayed()
    await lock_item(conn, organisation_id, dext_item_id)
    return await Items(conn).get(organisation_id, dext_item_id, lock=True)


def _refuse_unless_open(current: StoredItem | None, kind: ItemKind) -> None:
    if current is None:
        return
    if current.kind != kind:
        raise ItemConflict(f"item {current.dext_item_id} was published as a {current.kind}")
    if current.status in (ItemStatus.WITHDRAWN, ItemStatus.CANCELLED):
        raise ItemConflict(f"item {current.dext_item_id} was {current.status}")
    if current.withdrawal is not None:
        raise ItemConflict(f"item {current.dext_item_id} has a withdrawal {_withdrawal(current)}")
    # Once approved, the publisher may already be creating the bill: a new version would become
    # a second bill. Amending it is done in Xero (or by voiding there and publishing anew).
    if current.status in BOUND_FOR_XERO:
        raise ItemConflict(
            f"item {current.dext_item_id} is {current.status} and on its way to (or in) Xero;"
            " amend it there"
        )


def _withdrawal(item: StoredItem) -> str:
    assert item.withdrawal is not None
    state = item.withdrawal.get("state")
    return "pending" if state == WithdrawalState.REQUESTED else f"{state}"


async def _publish(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    signature: str,
    kind: ItemKind,
    meta: CostItemMetadata | BankTransactionMetadata,
    upload: Upload,
    build: EventBuilder,
) -> Receipt:
    dext_item_id = meta.dext_item_id
    content = meta.model_dump(mode="json")
    sha256 = upload.sha256
    digest = content_digest({"metadata": content, "file_name": upload.file_name}, sha256)
    async with conn.transaction():
        current = await _begin(conn, organisation_id, dext_item_id, signature)
        if current is not None and current.kind == kind and current.content_sha256 == digest:
            return Receipt(
                dext_item_id,
                current.latest_version,
                current.correlation_id,
                current.document_id,
                created=False,
            )
        _refuse_unless_open(current, kind)
        stored = await Documents(conn).store(
            organisation_id, sha256, upload.media_type, upload.file_name, upload.content
        )
        document = DocumentMetadata(
            document_id=stored.document_id,
            file_name=upload.file_name,
            media_type=upload.media_type,
            size_bytes=len(upload.content),
            sha256=sha256,
        )
        version = 1 if current is None else current.latest_version + 1
        correlation_id = uuid.uuid4() if current is None else current.correlation_id
        event, topic = build(version, None if current is None else current.latest_version, document)
        await Items(conn).add_version(
            current,
            organisation_id=organisation_id,
            dext_item_id=dext_item_id,
            kind=kind,
            version=version,
            correlation_id=correlation_id,
            content_sha256=digest,
            document_id=stored.document_id,
            payload=event.model_dump_json(),
            status=ItemStatus.RECEIVED,
        )
        envelope = new_envelope(
            event, producer=PRODUCER, organisation_id=organisation_id, correlation_id=correlation_id
        )
        await enqueue(conn, topic, envelope)
    return Receipt(dext_item_id, version, correlation_id, stored.document_id, created=True)


async def submit_cost_item(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    signature: str,
    meta: CostItemMetadata,
    upload: Upload,
) -> Receipt:
    """Stores a new version of a cost item and announces it for approval; the same metadata
    and file again is a no-op answered like the first time."""

    def build(
        version: int, supersedes: int | None, document: DocumentMetadata
    ) -> tuple[EventPayload, str]:
        event = CostItemSubmitted(
            dext_item_id=meta.dext_item_id,
            version=version,
            supersedes_version=supersedes,
            bill=to_bill(meta, document),
            submitted_at=datetime.now(UTC),
        )
        return event, COST_ITEMS

    return await _publish(conn, organisation_id, signature, ItemKind.COST_ITEM, meta, upload, build)


async def submit_bank_transaction(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    signature: str,
    meta: BankTransactionMetadata,
    upload: Upload,
) -> Receipt:
    """Stores a bank-account transaction and hands it to the publisher (no approval)."""

    def build(
        version: int, supersedes: int | None, document: DocumentMetadata
    ) -> tuple[EventPayload, str]:
        return to_bank_transaction(meta, version, document, datetime.now(UTC)), BANK_TRANSACTIONS

    return await _publish(
        conn, organisation_id, signature, ItemKind.BANK_TRANSACTION, meta, upload, build
    )


async def withdraw_item(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    signature: str,
    dext_item_id: str,
    reason: str | None,
) -> tuple[StoredItem, bool]:
    """The item was deleted in Dext: ask approval to stop it. Approval answers by cancelling
    the request (the item becomes withdrawn) or, when the request is already authorised, by
    refusing. A repeat while the answer is awaited, or after the item was withdrawn, is a no-op.
    Returns the item and whether this call asked for the withdrawal."""
    async with conn.transaction():
        current = await _begin(conn, organisation_id, dext_item_id, signature)
        if current is None:
            raise ItemNotFound(dext_item_id)
        if current.kind != ItemKind.COST_ITEM:
            raise ItemConflict("a bank transaction goes straight to Xero; void it there")
        if current.status in (ItemStatus.WITHDRAWN, ItemStatus.CANCELLED):
            return current, False
        if current.withdrawal is not None:
            if current.withdrawal.get("state") == WithdrawalState.REQUESTED:
                return current, False
            raise ItemConflict(
                f"item {dext_item_id}'s withdrawal was refused: {current.withdrawal.get('refusal')}"
            )
        if current.status in BOUND_FOR_XERO:
            raise ItemConflict(
                f"item {dext_item_id} is {current.status} and on its way to (or in) Xero;"
                " void the bill there"
            )
        now = datetime.now(UTC)
        await Items(conn).set_withdrawal(
            organisation_id,
            dext_item_id,
            {
                "state": WithdrawalState.REQUESTED.value,
                "reason": reason,
                "requested_at": now.isoformat(),
            },
        )
        event = CostItemWithdrawn(
            dext_item_id=dext_item_id,
            version=current.latest_version,
            withdrawn_at=now,
            reason=reason,
        )
        envelope = new_envelope(
            event,
            producer=PRODUCER,
            organisation_id=organisation_id,
            correlation_id=current.correlation_id,
        )
        await enqueue(conn, COST_ITEMS, envelope)
    return current, True
