"""Xero's side of change detection (ADR 0053): its webhook events' records fetched by
``XeroClient``, kept by ``observe`` (newer by UpdatedDateUTC), followed by ``FOLLOWERS``; the
watcher and its loop are ledger-neutral (``ledger_changes.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_mapping import parse_xero_datetime
from countersign_publisher.db.xero_changes import XERO_TABLES, ChangeTables
from countersign_publisher.domain.xero_changes import (
    ID_FIELDS,
    ChangeEvent,
    ObservedChange,
    stored_form,
)
from countersign_publisher.handlers.bill_changes import compare_with_approved
from countersign_publisher.handlers.bypass import report_bypass
from countersign_publisher.handlers.ledger_bills import announce_bill
from countersign_publisher.handlers.ledger_changes import Follower, keep_newer
from countersign_publisher.handlers.pulled_bills import pull_submitted

__all__ = ["FOLLOWERS", "XeroChanges", "observe"]

Json = dict[str, Any]

FOLLOWERS: tuple[Follower, ...] = (
    compare_with_approved,
    report_bypass,
    announce_bill,
    pull_submitted,
)
"""What reacts to a newer state of a Xero invoice or contact, in the transaction that keeps it:
a bill Countersign published compared with what was approved (``bill_changes.py``, ADR 0054);
a bill approved in Xero that no publication made, reported (``bypass.py``, ADR 0055); every
bill announced when a field ingest's duplicate rules read moves (``ledger_bills.py``, ADR 0056);
a bill submitted in Xero, pulled for approval in the via-Xero mode (``pulled_bills.py``, ADR 0058).
``ObservedChange.previous`` is what was kept before."""


async def observe(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    category: str,
    resource: dict[str, Any],
    seen_by: str,
) -> bool:
    """Keeps ``resource`` when it is newer than the state kept; True when it was."""
    updated = parse_xero_datetime(resource.get("UpdatedDateUTC"))
    if updated is None:
        return False
    resource_id = UUID(str(resource[ID_FIELDS[category]]))
    change = ObservedChange(
        organisation_id, category, resource_id, None, stored_form(resource), seen_by
    )
    return await keep_newer(conn, XERO_TABLES, FOLLOWERS, change, resource_id, updated)


class XeroChanges:
    """Xero's ``ChangeSource``: invoices (ACCPAY) and contacts, read by ``XeroClient``."""

    tables: ChangeTables = XERO_TABLES
    collections: tuple[str, ...] = ("Invoices", "Contacts")
    page = 100
    _CATEGORIES = {"Invoices": "INVOICE", "Contacts": "CONTACT"}

    def __init__(self, xero: XeroClient) -> None:
        self._xero = xero

    async def fetch(self, organisation_id: UUID, event: ChangeEvent) -> Json:
        resource_id = UUID(str(event.resource_id))
        if event.category == "INVOICE":
            return await self._xero.bill(organisation_id, resource_id)
        return await self._xero.contact(organisation_id, resource_id)

    async def observe(
        self,
        conn: asyncpg.Connection,
        organisation_id: UUID,
        collection: str,
        record: Json,
        seen_by: str,
    ) -> bool:
        category = self._CATEGORIES.get(collection, collection)
        return await observe(conn, organisation_id, category, record, seen_by)

    async def pages(
        self, organisation_id: UUID, collection: str, since: datetime | None
    ) -> AsyncIterator[list[Json]]:
        """Xero answers If-Modified-Since to the second: the boundary second comes back."""
        page = 1
        while True:
            records = await self._xero.changed_page(organisation_id, collection, page, since)
            yield records
            if len(records) < self.page:
                return
            page += 1

    def updated(self, record: Json) -> datetime | None:
        return parse_xero_datetime(record.get("UpdatedDateUTC"))
