"""SQL of who each running request awaits (migration 0002): what the daily digest lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
from countersign_contracts import Actor, ActorKind

from countersign_notifier.domain.bills import BillSummary
from countersign_notifier.domain.mail import WaitingItem
from countersign_notifier.domain.people_mail import Waiting

__all__ = ["Awaiting"]


class Awaiting:
    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self._conn = conn

    async def replace(
        self,
        organisation_id: UUID,
        request_id: UUID,
        awaiting: Sequence[Actor],
        step_name: str | None,
        due_at: datetime | None,
    ) -> None:
        """The request now awaits exactly these people (none: it awaits nobody we can tell)."""
        await self.clear(request_id)
        people = {
            a.user_id: a
            for a in awaiting
            if a.kind == ActorKind.USER and a.user_id is not None and a.email
        }
        await self._conn.executemany(
            "INSERT INTO awaiting (request_id, user_id, organisation_id, recipient, name,"
            " step_name, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (request_id, user_id, organisation_id, (a.email or "").strip().lower(),
                 a.name, step_name, due_at)
                for user_id, a in people.items()
            ],
        )  # fmt: skip

    async def clear(self, request_id: UUID) -> None:
        await self._conn.execute("DELETE FROM awaiting WHERE request_id = $1", request_id)

    async def everyone(self) -> list[Waiting]:
        """Every request awaiting someone, with what the notifier knows of its bill, oldest
        first per person."""
        rows = await self._conn.fetch(
            "SELECT a.organisation_id, a.recipient, a.user_id, a.name, a.request_id,"
            " a.step_name, a.due_at, r.bill::text AS bill, r.dext_item_id"
            " FROM awaiting a LEFT JOIN requests r USING (request_id)"
            " ORDER BY a.organisation_id, a.recipient, a.since, a.request_id"
        )
        return [
            Waiting(
                organisation_id=row["organisation_id"],
                recipient=row["recipient"],
                user_id=row["user_id"],
                name=row["name"],
                item=WaitingItem(
                    request_id=row["request_id"],
                    what=_what(row["bill"], row["dext_item_id"], row["request_id"]),
                    step_name=row["step_name"],
                    due_at=row["due_at"].isoformat() if row["due_at"] else None,
                ),
            )
            for row in rows
        ]


def _what(bill: str | None, dext_item_id: str | None, request_id: UUID) -> str:
    if bill is None:
        return f"request {request_id}" if dext_item_id is None else f"Dext item {dext_item_id}"
    summary = BillSummary.model_validate_json(bill)
    return f"{summary.supplier}, {summary.amount}"
