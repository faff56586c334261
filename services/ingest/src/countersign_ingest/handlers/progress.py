"""Keeping each item's status current from the other services' news, as their events arrive.

Each version's news goes to that version's journey (``domain.news`` says what it means), and a
status never moves back (``domain.items.supersedes``), whatever order the two topics deliver
in. The item shows its latest version's journey — unless approval refused that version
(``RepublishRefused``): then the journey of the version approval kept, whose news has been
recorded all along. Approval's answer to a withdrawal ends it: the request cancelled
(withdrawn) or ``WithdrawalRefused``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import Envelope, RepublishRefused, WithdrawalRefused

from countersign_ingest.db.items import Items
from countersign_ingest.domain.items import ItemStatus, WithdrawalState, supersedes
from countersign_ingest.domain.news import News, news_of

__all__ = ["record_progress", "record_republish_refused", "record_withdrawal_refused"]


async def _record(
    items: Items, organisation_id: UUID, dext_item_id: str, version: int, news: News
) -> None:
    journey = await items.lock_journey(organisation_id, dext_item_id, version)
    if journey is None:
        return
    status, detail = news
    withdrawal = journey.withdrawal
    if (
        status is ItemStatus.CANCELLED
        and withdrawal is not None
        and withdrawal.get("state") == WithdrawalState.REQUESTED
    ):
        # The request stopped while Dext's withdrawal was pending: that is what stopped it.
        status, detail = ItemStatus.WITHDRAWN, {"reason": withdrawal.get("reason")}
        granted = {**withdrawal, "state": WithdrawalState.GRANTED.value}
        await items.set_withdrawal(organisation_id, dext_item_id, granted)
    if supersedes(status, ItemStatus(journey.status)):
        await items.set_status(organisation_id, dext_item_id, version, status, detail)


async def record_progress(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    payload = envelope.payload
    news = news_of(payload)
    await _record(
        Items(conn), envelope.organisation_id, payload.dext_item_id, payload.item_version, news
    )


async def record_republish_refused(
    conn: asyncpg.Connection, envelope: Envelope[RepublishRefused]
) -> None:
    """Approval kept the request of ``item_version``: show that version's journey, and why the
    newer one was not taken (it is refused for good)."""
    refused = envelope.payload
    org, item = envelope.organisation_id, refused.dext_item_id
    items = Items(conn)
    if await items.lock_journey(org, item, refused.item_version) is None:
        return
    await items.set_status(
        org, item, refused.refused_item_version, ItemStatus.REFUSED, {"reason": refused.reason}
    )
    await items.show_version(
        org,
        item,
        refused.item_version,
        {
            "version": refused.refused_item_version,
            "reason": refused.reason,
            "refused_at": refused.refused_at.isoformat(),
        },
    )


async def record_withdrawal_refused(
    conn: asyncpg.Connection, envelope: Envelope[WithdrawalRefused]
) -> None:
    """The withdrawal did not stop the request: the item goes on to Xero, and says so."""
    refused = envelope.payload
    org, item = envelope.organisation_id, refused.dext_item_id
    items = Items(conn)
    journey = await items.lock_journey(org, item, refused.item_version)
    if journey is None:
        return
    await items.set_withdrawal(
        org,
        item,
        {
            **(journey.withdrawal or {}),
            "state": WithdrawalState.REFUSED.value,
            "refusal": refused.reason,
            "refused_at": refused.refused_at.isoformat(),
        },
    )
