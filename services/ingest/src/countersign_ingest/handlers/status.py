"""Where an item is, as Dext asks for it."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from countersign_ingest.db.items import Items
from countersign_ingest.domain.items import StoredItem
from countersign_ingest.domain.refusals import ItemNotFound

__all__ = ["find_item"]


async def find_item(
    conn: asyncpg.Connection, organisation_id: UUID, dext_item_id: str
) -> StoredItem:
    item = await Items(conn).get(organisation_id, dext_item_id)
    if item is None:
        raise ItemNotFound(dext_item_id)
    return item
