"""QuickBooks Online's side of change detection (ADR 0072), a ``ChangeSource`` beside Xero's:

    webhook event (Bill, Create/Update/Void/Merge) ─▶ GET bill/{Id} ─▶ its ``BillState``
    webhook event (Bill, Delete)                   ─▶ the bill deleted (no read: QBO has none)
    poll: CDC ``entities=Bill&changedSince=`` (≤ 29 days back) ─▶ each bill's ``BillState``
    ─▶ ``observe``: newer by MetaData.LastUpdatedTime? kept (``qbo_resources``) and
       ``QBO_FOLLOWERS`` run in that transaction

Only changes after approval follow a QBO bill: bypass detection, the via-ledger mode and
``ledger.bills.v1`` are Xero's (ADR 0072 says why).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import Ledger, ledger_uuid

from countersign_publisher.adapters.qbo_changes import QBO_BILL, QboChanges
from countersign_publisher.db.xero_changes import QBO_TABLES, ChangeTables
from countersign_publisher.domain.bill_changes import BillState
from countersign_publisher.domain.xero_changes import ChangeEvent, ObservedChange
from countersign_publisher.handlers.bill_changes import compare_qbo_with_approved
from countersign_publisher.handlers.ledger_changes import Follower, keep_newer
from countersign_publisher.ledger.errors import LedgerNotFound

__all__ = ["CDC_LOOK_BACK", "QBO_FOLLOWERS", "QboChangeSource"]

Json = dict[str, Any]
CDC_LOOK_BACK = timedelta(days=29)  # Intuit keeps 30 days; a day's margin for clocks

QBO_FOLLOWERS: tuple[Follower, ...] = (compare_qbo_with_approved,)


def _deleted(bill_id: str, at: datetime) -> Json:
    state = BillState(status="DELETED").to_json()
    return {"bill_id": bill_id, "updated_at": at.isoformat(), "state": state}


class QboChangeSource:
    tables: ChangeTables = QBO_TABLES
    collections: tuple[str, ...] = ("Bill",)

    def __init__(self, changes: QboChanges) -> None:
        self._changes = changes

    async def fetch(self, organisation_id: UUID, event: ChangeEvent) -> Json:
        bill_id = str(event.resource_id)
        if event.event_type == "Delete":
            return _deleted(bill_id, event.event_date)
        found = await self._changes.bill(organisation_id, bill_id)
        if found is None:
            raise LedgerNotFound(f"QuickBooks Online's bill {bill_id} has no update time")
        return found

    async def observe(
        self,
        conn: asyncpg.Connection,
        organisation_id: UUID,
        collection: str,
        record: Json,
        seen_by: str,
    ) -> bool:
        bill_id = str(record["bill_id"])
        resource = ledger_uuid(Ledger.QBO, organisation_id, "bill", bill_id)
        change = ObservedChange(organisation_id, QBO_BILL, resource, None, record, seen_by)
        updated = datetime.fromisoformat(str(record["updated_at"]))
        return await keep_newer(conn, QBO_TABLES, QBO_FOLLOWERS, change, bill_id, updated)

    async def pages(
        self, organisation_id: UUID, collection: str, since: datetime | None
    ) -> AsyncIterator[list[Json]]:
        """One CDC answer (≤ 1000 bills); a first poll, or one after more than 29 days, reads
        the last 29 days (what is older CDC no longer tells)."""
        oldest = datetime.now(UTC) - CDC_LOOK_BACK
        yield await self._changes.changed(organisation_id, max(since or oldest, oldest))

    def updated(self, record: Json) -> datetime | None:
        return datetime.fromisoformat(str(record["updated_at"]))
