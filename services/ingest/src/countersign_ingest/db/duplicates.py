"""Likely duplicates: the other items that share a key with a new one, and the organisation's
policy for them (``domain.duplicates``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_contracts import DuplicatePolicy

from countersign_ingest.db import Repository
from countersign_ingest.domain.duplicates import DUPLICATE_CANDIDATE_STATUSES, DuplicateKeys

__all__ = ["Duplicates"]


class Duplicates(Repository):
    async def lock_keys(self, organisation_id: UUID, keys: DuplicateKeys) -> None:
        """Serialises intake of items sharing a key until the caller's transaction ends, so two
        copies of one invoice arriving at once are checked one after the other."""
        for key in sorted(k for k in (keys.reference, keys.amount) if k is not None):
            await self._conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 1))",
                f"{organisation_id}/duplicate/{key}",
            )

    async def matching(
        self, organisation_id: UUID, dext_item_id: str, keys: DuplicateKeys
    ) -> list[tuple[str, bool, bool]]:
        """(other item, same reference, same date and amount) for each other cost item whose
        shown version shares a key and may still become a bill."""
        if keys.reference is None and keys.amount is None:
            return []
        rows = await self._conn.fetch(
            "SELECT i.dext_item_id, coalesce(v.reference_key = $3, false) AS by_reference,"
            " coalesce(v.amount_key = $4, false) AS by_amount"
            " FROM item_versions v JOIN items i ON i.organisation_id = v.organisation_id"
            " AND i.dext_item_id = v.dext_item_id AND i.shown_version = v.version"
            " WHERE v.organisation_id = $1 AND v.dext_item_id <> $2"
            " AND (v.reference_key = $3 OR v.amount_key = $4)"
            " AND i.kind = 'cost_item' AND v.status = ANY($5::text[])",
            organisation_id,
            dext_item_id,
            keys.reference,
            keys.amount,
            [s.value for s in DUPLICATE_CANDIDATE_STATUSES],
        )
        return [(r["dext_item_id"], r["by_reference"], r["by_amount"]) for r in rows]

    async def policy(self, organisation_id: UUID) -> DuplicatePolicy:
        found = await self._conn.fetchval(
            "SELECT policy FROM duplicate_policies WHERE organisation_id = $1", organisation_id
        )
        return DuplicatePolicy.WARN if found is None else DuplicatePolicy(found)

    async def keep_policy(
        self, organisation_id: UUID, policy: DuplicatePolicy, occurred_at: datetime
    ) -> None:
        """Keeps ``policy`` unless a newer event's is kept already."""
        await self._conn.execute(
            "INSERT INTO duplicate_policies (organisation_id, policy, occurred_at)"
            " VALUES ($1, $2, $3) ON CONFLICT (organisation_id) DO UPDATE"
            " SET policy = excluded.policy, occurred_at = excluded.occurred_at"
            " WHERE duplicate_policies.occurred_at <= excluded.occurred_at",
            organisation_id,
            policy.value,
            occurred_at,
        )
