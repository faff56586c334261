"""When master data is news: its content, not the moment it was read.

A sync that reads the same ledger again makes the same snapshot but for ``synced_at``; the hash
leaves that field out, so only a change in the ledger (an account archived, a tax rate added, a
lock date moved) emits ``LedgerMasterDataSynced``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from countersign_contracts import LedgerMasterDataSynced
from countersign_platform.refusals import Conflict

__all__ = ["MasterDataCounts", "NotConnected", "content_hash", "counts"]


class NotConnected(Conflict):
    kind = "not-connected"
    title = "The organisation is not connected to Xero"


def content_hash(snapshot: LedgerMasterDataSynced) -> str:
    """SHA-256 of the snapshot's content (canonical JSON, ``synced_at`` left out)."""
    content = snapshot.model_dump(mode="json", exclude={"synced_at"})
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class MasterDataCounts:
    accounts: int
    tax_rates: int
    tracking_categories: int
    currencies: int


def counts(snapshot: LedgerMasterDataSynced | None) -> MasterDataCounts:
    if snapshot is None:
        return MasterDataCounts(0, 0, 0, 0)
    return MasterDataCounts(
        accounts=len(snapshot.accounts),
        tax_rates=len(snapshot.tax_rates),
        tracking_categories=len(snapshot.tracking_categories),
        currencies=len(snapshot.currencies),
    )
