"""Organisations: who they are (the operator registers and updates them)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from countersign_approval.domain.organisation import Organisation

__all__ = ["Organisations"]


class Organisations:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, org: Organisation) -> bool:
        """False when the id is taken."""
        status = await self._conn.execute(
            "INSERT INTO organisations (organisation_id, name, base_currency, timezone, status,"
            " duplicate_policy, ledger_mode, via_xero_requester)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            org.organisation_id,
            org.name,
            org.base_currency,
            org.timezone,
            org.status,
            org.duplicate_policy,
            org.ledger_mode,
            org.via_xero_requester,
        )
        return bool(status.endswith(" 1"))

    async def get(self, organisation_id: UUID, *, lock: bool = False) -> Organisation | None:
        row = await self._conn.fetchrow(
            "SELECT organisation_id, name, base_currency, timezone, status, duplicate_policy,"
            " ledger_mode, via_xero_requester FROM organisations WHERE organisation_id = $1"
            + (" FOR UPDATE" if lock else ""),
            organisation_id,
        )
        return None if row is None else Organisation(**dict(row))

    async def update(self, org: Organisation) -> None:
        await self._conn.execute(
            "UPDATE organisations SET name = $2, base_currency = $3, timezone = $4, status = $5,"
            " duplicate_policy = $6, ledger_mode = $7, via_xero_requester = $8,"
            " updated_at = now() WHERE organisation_id = $1",
            org.organisation_id,
            org.name,
            org.base_currency,
            org.timezone,
            org.status,
            org.duplicate_policy,
            org.ledger_mode,
            org.via_xero_requester,
        )
