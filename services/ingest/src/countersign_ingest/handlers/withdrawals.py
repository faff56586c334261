"""Dext deleted an item: ask approval to stop it. Approval answers by cancelling the request
(the item becomes withdrawn, ``handlers.progress``) or, when the request is already authorised,
by refusing (``WithdrawalRefused``): ingest's copy of the status may be behind (ADR 0024)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from countersign_contracts import COST_ITEMS, CostItemWithdrawn

from countersign_ingest.db.items import Items
from countersign_ingest.domain.items import StoredItem, WithdrawalState, withdrawal_to_ask
from countersign_ingest.domain.refusals import ItemNotFound
from countersign_ingest.handlers.item_calls import announce, begin_item_call

__all__ = ["withdraw_item"]


async def withdraw_item(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    signature: str,
    dext_item_id: str,
    reason: str | None,
) -> tuple[StoredItem, bool]:
    """Asks approval to stop the item; a repeat while the answer is awaited, or after the item
    was withdrawn, is a no-op. Returns the item and whether this call asked for the withdrawal.
    """
    async with conn.transaction():
        current = await begin_item_call(conn, organisation_id, dext_item_id, signature)
        if current is None:
            raise ItemNotFound(dext_item_id)
        if not withdrawal_to_ask(current):
            return current, False
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
        await announce(conn, COST_ITEMS, event, organisation_id, current.correlation_id)
    return current, True
