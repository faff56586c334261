"""The ledger's master data Dext's drop-downs show: kept from the publisher's
``LedgerMasterDataSynced`` entry by entry (``domain.ledger_entries.diff``), served in the order
entries changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import Envelope, LedgerMasterDataSynced
from countersign_platform.refusals import NotFound

from countersign_ingest.db.ledger_entries import LedgerEntries, LedgerSettings
from countersign_ingest.domain.ledger_entries import EntryKind, decode_cursor, diff, encode_cursor

__all__ = [
    "EntryBatch",
    "NoMasterDataYet",
    "entry_page",
    "ledger_settings",
    "record_master_data",
]


class NoMasterDataYet(NotFound):
    title = "No master data from the ledger yet"


@dataclass(frozen=True)
class EntryBatch:
    entries: list[dict[str, Any]]
    next_cursor: str | None  # set when the batch is full: more may follow


def _entries(snapshot: LedgerMasterDataSynced) -> dict[EntryKind, dict[str, Mapping[str, Any]]]:
    return {
        EntryKind.ACCOUNT: {
            str(a.account_id): a.model_dump(mode="json") for a in snapshot.accounts
        },
        EntryKind.TAX_RATE: {r.tax_type: r.model_dump(mode="json") for r in snapshot.tax_rates},
        EntryKind.TRACKING_CATEGORY: {
            str(c.tracking_category_id): c.model_dump(mode="json")
            for c in snapshot.tracking_categories
        },
    }


async def record_master_data(
    conn: asyncpg.Connection, envelope: Envelope[LedgerMasterDataSynced]
) -> None:
    snapshot = envelope.payload
    organisation_id = envelope.organisation_id
    settings = LedgerSettings(conn)
    held = await settings.synced_at(organisation_id)
    if held is not None and held >= snapshot.synced_at:
        return  # an older read than the one kept
    store = LedgerEntries(conn)
    at = snapshot.synced_at
    for kind, latest in _entries(snapshot).items():
        changes = diff(await store.stored(organisation_id, kind), latest)
        if changes.changed:
            await store.changed(organisation_id, kind, changes.changed, at)
        if changes.removed:
            await store.removed(organisation_id, kind, changes.removed, at)
    await settings.keep(
        organisation_id,
        snapshot.tenant_id,
        snapshot.base_currency,
        list(snapshot.currencies),
        (snapshot.period_lock_date, snapshot.end_of_year_lock_date),
        at,
    )


async def entry_page(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    kind: EntryKind,
    position: tuple[str | None, datetime | None, int],
    payable_only: bool = False,
) -> EntryBatch:
    """A page of entries after ``position`` (cursor, changed_since, limit); the cursor wins."""
    cursor, changed_since, limit = position
    after: tuple[datetime, str | None] | None = None
    if cursor is not None:
        after = decode_cursor(cursor)
    elif changed_since is not None:
        after = (changed_since, None)
    rows = await LedgerEntries(conn).page(organisation_id, kind, after, limit, payable_only)
    next_cursor = None
    if len(rows) == limit:
        next_cursor = encode_cursor(rows[-1]["changed_at"], rows[-1]["entry_key"])
    return EntryBatch(rows, next_cursor)


async def ledger_settings(conn: asyncpg.Connection, organisation_id: UUID) -> dict[str, Any]:
    found = await LedgerSettings(conn).get(organisation_id)
    if found is None:
        raise NoMasterDataYet(f"organisation {organisation_id} has no master data from Xero yet")
    return found
