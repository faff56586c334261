"""Dext publishes a cost item (for approval) or a bank transaction (straight to the publisher):
a new version, or an idempotent repeat answered like the first time.

    rules (BrokenRules) ─▶ the call's frame (``item_calls``): signature, item locked
        ─▶ the same metadata and file as the latest version? answered as it was, nothing new
        ─▶ may the item take a new version? (NoNewVersion) ─▶ file, version, event: one commit
                                    (a cost item: marked as a likely duplicate, or refused)

Ingest refuses at once what its own copy of the status already rules out (a new version of an
item bound for Xero); where its copy may be behind, approval decides and answers with an event
(ADR 0024).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import asyncpg
from countersign_contracts import (
    BANK_TRANSACTIONS,
    COST_ITEMS,
    CostItemSubmitted,
    DocumentMetadata,
    EventPayload,
    MasterData,
)
from countersign_platform.organisation_status import is_via_xero

from countersign_ingest.db.documents import Documents
from countersign_ingest.db.items import Items
from countersign_ingest.db.ledger_entries import LedgerEntries, LedgerSettings
from countersign_ingest.domain.bills import to_bank_transaction, to_bill
from countersign_ingest.domain.duplicates import DuplicateKeys
from countersign_ingest.domain.files import Upload
from countersign_ingest.domain.items import (
    ItemKind,
    ItemStatus,
    content_digest,
    refuse_new_version,
)
from countersign_ingest.domain.ledger_coding import coding_violations, ledger_of_accounts
from countersign_ingest.domain.ledger_entries import EntryKind
from countersign_ingest.domain.metadata import BankTransactionMetadata, CostItemMetadata
from countersign_ingest.domain.refusals import BrokenRules, OrganisationViaXero
from countersign_ingest.domain.rules import (
    Violation,
    bank_transaction_violations,
    cost_item_violations,
)
from countersign_ingest.handlers.duplicates import mark_duplicates
from countersign_ingest.handlers.item_calls import announce, begin_item_call

__all__ = ["Publication", "Receipt", "submit_publication"]

Publication = CostItemMetadata | BankTransactionMetadata
Meta = TypeVar("Meta", CostItemMetadata, BankTransactionMetadata)


@dataclass(frozen=True)
class _Kind(Generic[Meta]):
    """What one kind of publication becomes: its rules, its event, the topic it goes on."""

    kind: ItemKind
    violations: Callable[[Meta, date], list[Violation]]
    event: Callable[[Meta, int, int | None, DocumentMetadata], EventPayload]
    topic: str


@dataclass(frozen=True)
class Receipt:
    dext_item_id: str
    version: int
    correlation_id: UUID
    document_id: UUID
    created: bool


def _cost_item_submitted(
    meta: CostItemMetadata, version: int, supersedes: int | None, document: DocumentMetadata
) -> EventPayload:
    return CostItemSubmitted(
        dext_item_id=meta.dext_item_id,
        version=version,
        supersedes_version=supersedes,
        bill=to_bill(meta, document),
        submitted_at=datetime.now(UTC),
    )


def _bank_transaction_submitted(
    meta: BankTransactionMetadata, version: int, supersedes: int | None, document: DocumentMetadata
) -> EventPayload:
    return to_bank_transaction(meta, version, document, datetime.now(UTC))


_KINDS: dict[type[Any], _Kind[Any]] = {
    # A cost item is announced for approval; a bank transaction goes to the publisher as is.
    CostItemMetadata: _Kind(
        ItemKind.COST_ITEM, cost_item_violations, _cost_item_submitted, COST_ITEMS
    ),
    BankTransactionMetadata: _Kind(
        ItemKind.BANK_TRANSACTION,
        bank_transaction_violations,
        _bank_transaction_submitted,
        BANK_TRANSACTIONS,
    ),
}


async def _store_document(
    conn: asyncpg.Connection, organisation_id: UUID, upload: Upload, sha256: str
) -> DocumentMetadata:
    stored = await Documents(conn).store(
        organisation_id, sha256, upload.media_type, upload.file_name, upload.content
    )
    return DocumentMetadata(
        document_id=stored.document_id,
        file_name=upload.file_name,
        media_type=upload.media_type,
        size_bytes=len(upload.content),
        sha256=sha256,
    )


async def ledger_of(conn: asyncpg.Connection, organisation_id: UUID) -> MasterData | None:
    """The organisation's ledger as the publisher last read it; None before it was read."""
    currencies = await LedgerSettings(conn).currencies(organisation_id)
    if currencies is None:
        return None
    current = await LedgerEntries(conn).current(organisation_id)
    return MasterData.of(
        accounts=current[EntryKind.ACCOUNT],
        tax_rates=current[EntryKind.TAX_RATE],
        tracking=current[EntryKind.TRACKING_CATEGORY],
        currencies=currencies,
        ledger=ledger_of_accounts(organisation_id, current[EntryKind.ACCOUNT]).value,
    )


async def _check_rules(
    conn: asyncpg.Connection, organisation_id: UUID, kind: _Kind[Any], meta: Publication
) -> None:
    broken = kind.violations(meta, date.today())
    ledger = await ledger_of(conn, organisation_id)
    if ledger is not None:
        broken += coding_violations(meta, ledger)
    if broken:
        raise BrokenRules(broken)


async def _refuse_new_bill_via_xero(
    conn: asyncpg.Connection, organisation_id: UUID, kind: _Kind[Any], dext_item_id: str
) -> None:
    """An organisation whose bills start in Xero takes no new cost item; items already here
    finish as they started (ADR 0058's cut-over)."""
    if kind.topic == COST_ITEMS and await is_via_xero(conn, organisation_id):
        raise OrganisationViaXero(dext_item_id)


async def submit_publication(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    signature: str,
    meta: Publication,
    upload: Upload,
) -> Receipt:
    """Stores a new version of the item and announces it; the same metadata and file as the
    latest version is a no-op answered like the first time."""
    kind: _Kind[Any] = _KINDS[type(meta)]
    await _check_rules(conn, organisation_id, kind, meta)
    dext_item_id = meta.dext_item_id
    sha256 = upload.sha256  # hashed once: the file may be 10 MB
    content = {"metadata": meta.model_dump(mode="json"), "file_name": upload.file_name}
    digest = content_digest(content, sha256)
    async with conn.transaction():
        current = await begin_item_call(conn, organisation_id, dext_item_id, signature)
        if current is not None and current.kind == kind.kind and current.content_sha256 == digest:
            return Receipt(
                dext_item_id,
                current.latest_version,
                current.correlation_id,
                current.document_id,
                created=False,
            )
        refuse_new_version(current, kind.kind)
        if (
            current is None
            and kind.topic == COST_ITEMS
            and await is_via_xero(conn, organisation_id)
        ):
            # Items already here finish as they started (ADR 0058's cut-over).
            raise OrganisationViaXero(dext_item_id)
        document = await _store_document(conn, organisation_id, upload, sha256)
        version = 1 if current is None else current.latest_version + 1
        supersedes = None if current is None else current.latest_version
        event = kind.event(meta, version, supersedes, document)
        keys = DuplicateKeys(None, None)
        if isinstance(event, CostItemSubmitted):
            assert isinstance(meta, CostItemMetadata)
            keys, event = await mark_duplicates(
                conn, organisation_id, meta.document_reference, event
            )
        correlation_id = uuid.uuid4() if current is None else current.correlation_id
        await Items(conn).add_version(
            current,
            organisation_id=organisation_id,
            dext_item_id=dext_item_id,
            kind=kind.kind,
            version=version,
            document_id=document.document_id,
            correlation_id=correlation_id,
            content_sha256=digest,
            payload=event.model_dump_json(),
            status=ItemStatus.RECEIVED,
            duplicate_keys=keys,
        )
        await announce(conn, kind.topic, event, organisation_id, correlation_id)
    return Receipt(dext_item_id, version, correlation_id, document.document_id, created=True)
