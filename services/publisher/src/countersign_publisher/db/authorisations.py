"""SQL of ledger authorisations in flight (migrations 0003, 0014): one row per consent asked
for, naming its ledger."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

import asyncpg

from countersign_publisher.domain.authorisation import Authorisation
from countersign_publisher.domain.connection import Tenant

__all__ = ["Authorisations"]


def _flow(row: asyncpg.Record) -> Authorisation:
    tenants = json.loads(row["tenants"]) if row["tenants"] else []
    return Authorisation(
        state_hash=row["state_hash"],
        organisation_id=row["organisation_id"],
        started_by=row["started_by"],
        redirect_uri=row["redirect_uri"],
        expires_at=row["expires_at"],
        called_back=row["called_back_at"] is not None,
        ended=row["ended_at"] is not None,
        tenants=tuple(Tenant(**t) for t in tenants),
        ledger=row["ledger"],
    )


class Authorisations:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def start(
        self,
        state_hash: str,
        organisation_id: UUID,
        started_by: UUID,
        sealed_verifier: str,
        redirect_uri: str,
        expires_at: datetime,
        ledger: str = "xero",
    ) -> None:
        # Flows nobody finished are of no use once expired; starting one sweeps them.
        await self._conn.execute(
            "DELETE FROM xero_authorisations WHERE expires_at < now() - interval '1 day'"
        )
        await self._conn.execute(
            "INSERT INTO xero_authorisations (state_hash, organisation_id, started_by,"
            " code_verifier, redirect_uri, expires_at, ledger) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            state_hash,
            organisation_id,
            started_by,
            sealed_verifier,
            redirect_uri,
            expires_at,
            ledger,
        )

    async def claim(self, state_hash: str) -> tuple[Authorisation, str, str | None] | None:
        """The flow, locked, with its sealed verifier and sealed pending tokens."""
        row = await self._conn.fetchrow(
            "SELECT * FROM xero_authorisations WHERE state_hash = $1 FOR UPDATE", state_hash
        )
        return None if row is None else (_flow(row), row["code_verifier"], row["tokens"])

    async def called_back(self, state_hash: str) -> None:
        await self._conn.execute(
            "UPDATE xero_authorisations SET called_back_at = now() WHERE state_hash = $1",
            state_hash,
        )

    async def await_choice(
        self, state_hash: str, sealed_tokens: str, tenants: list[Tenant]
    ) -> None:
        await self._conn.execute(
            "UPDATE xero_authorisations SET tokens = $2, tenants = $3::jsonb WHERE state_hash = $1",
            state_hash,
            sealed_tokens,
            json.dumps([t.__dict__ for t in tenants]),
        )

    async def end(self, state_hash: str, outcome: str) -> None:
        """Ends the flow; the verifier and any token set it held are wiped."""
        await self._conn.execute(
            "UPDATE xero_authorisations SET ended_at = now(), outcome = $2, tokens = NULL,"
            " tenants = NULL, code_verifier = '' WHERE state_hash = $1",
            state_hash,
            outcome,
        )
