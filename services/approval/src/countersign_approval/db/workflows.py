"""An organisation's workflow versions, and the lock that orders saving one against the
requests that run on it."""

from __future__ import annotations

import json
import zlib
from uuid import UUID

import asyncpg
from countersign_contracts import TOLERANT

from countersign_approval.domain.workflow import SavedWorkflow, Workflow

__all__ = ["Workflows"]

# First half of the two-int advisory lock key; the second is a hash of the organisation id.
_WORKFLOW_LOCK_CLASS = zlib.crc32(b"approval-workflow") & 0x7FFFFFFF


class Workflows:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock(self, organisation_id: UUID, *, exclusive: bool) -> None:
        """Until the transaction ends: saving a workflow (exclusive) and opening a request
        (shared) exclude each other, so a request opened while the first workflow is being
        saved either sees it or is seen by it, and never waits forever."""
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        await self._conn.execute(
            f"SELECT {function}($1, hashtext($2))", _WORKFLOW_LOCK_CLASS, str(organisation_id)
        )

    async def try_lock_shared(self, organisation_id: UUID) -> bool:
        """The shared lock, if it is free of an exclusive holder or waiter now; False (not
        taken) otherwise."""
        taken: bool = await self._conn.fetchval(
            "SELECT pg_try_advisory_xact_lock_shared($1, hashtext($2))",
            _WORKFLOW_LOCK_CLASS,
            str(organisation_id),
        )
        return taken

    async def add(
        self, organisation_id: UUID, workflow_id: UUID, document: Workflow, saved_by: UUID
    ) -> SavedWorkflow:
        """Saves the next version (callers hold the organisation's row lock)."""
        row = await self._conn.fetchrow(
            "INSERT INTO workflows (organisation_id, version, workflow_id, name, document,"
            " saved_by) SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4::jsonb, $5"
            " FROM workflows WHERE organisation_id = $1"
            " RETURNING organisation_id, workflow_id, version, document, saved_by, saved_at",
            organisation_id,
            workflow_id,
            document.name,
            document.model_dump_json(),
            saved_by,
        )
        return _saved(row)

    async def get(self, organisation_id: UUID, version: int | None = None) -> SavedWorkflow | None:
        """One version; the newest when ``version`` is None."""
        row = await self._conn.fetchrow(
            "SELECT organisation_id, workflow_id, version, document, saved_by, saved_at"
            " FROM workflows WHERE organisation_id = $1 AND ($2::int IS NULL OR version = $2)"
            " ORDER BY version DESC LIMIT 1",
            organisation_id,
            version,
        )
        return None if row is None else _saved(row)

    async def all(self, organisation_id: UUID) -> list[SavedWorkflow]:
        rows = await self._conn.fetch(
            "SELECT organisation_id, workflow_id, version, document, saved_by, saved_at"
            " FROM workflows WHERE organisation_id = $1 ORDER BY version",
            organisation_id,
        )
        return [_saved(row) for row in rows]


def _saved(row: asyncpg.Record) -> SavedWorkflow:
    return SavedWorkflow(
        organisation_id=row["organisation_id"],
        workflow_id=row["workflow_id"],
        version=row["version"],
        # Read tolerantly: a workflow saved before a rule tightened (the text rules) still opens.
        document=Workflow.model_validate(json.loads(row["document"]), context=TOLERANT),
        saved_by=row["saved_by"],
        saved_at=row["saved_at"],
    )
