"""SQL of publications: the jobs, their leases and their progress."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import Ledger, PublicationKind, PublicationStep
from countersign_platform.organisation_status import NOT_SUSPENDED

from countersign_publisher.domain.progress import RESULTS, Progress
from countersign_publisher.domain.publication import DUE_STATES, RETRYABLE_STATES, PublicationState

__all__ = ["PublicationRow", "Publications"]


@dataclass(frozen=True)
class PublicationRow:
    """A publication as stored: the job (its document, and the event that recorded it), its
    ``Progress`` (read from the step columns), and where its tries stand."""

    publication_id: UUID
    organisation_id: UUID
    request_id: UUID | None
    dext_item_id: str
    item_version: int
    state: str
    document: str  # JSON of the RequestAuthorised or BankTransactionSubmitted payload
    correlation_id: UUID
    causation_id: UUID
    progress: Progress
    generation: int
    attempt: int
    next_attempt_at: datetime
    last_error: str | None
    recorded_at: datetime
    updated_at: datetime
    traceparent: str | None = None  # of the span that recorded the job (tracing on)

    @property
    def kind(self) -> PublicationKind:
        return self.progress.kind


_COLUMNS = (
    "publication_id, organisation_id, kind, request_id, dext_item_id, item_version, state,"
    " document, correlation_id, causation_id, ledger_contact_id, ledger_bill_id,"
    " ledger_expense_id, ledger_original_attachment_id, ledger_audit_attachment_id,"
    " ledger_payment_id, history_notes, xero_status, sent_steps, generation, attempt,"
    " next_attempt_at, last_error, recorded_at, updated_at, traceparent,"
    # The ledger the organisation is connected to (ADR 0068): its ids, and its events' ``ledger``.
    " coalesce((SELECT c.ledger FROM xero_connections c"
    "  WHERE c.organisation_id = publications.organisation_id), 'xero') AS ledger,"
    # Whether a payment is one of the steps: read here, so the document is parsed only by the
    # steps that need it.
    " coalesce((document #>> '{bill,payment,paid}')::boolean, false) AS paid,"
    # A bill pulled from Xero (ADR 0058), and whether its request was rejected.
    " coalesce(document ->> 'source' = 'xero', false) AS pulled,"
    " document ? 'rejected_by' AS rejected,"
    # Whether history notes are: the organisation's setting when the job is read (on by default).
    " coalesce((SELECT s.xero_history_notes FROM organisation_settings s"
    "  WHERE s.organisation_id = publications.organisation_id), true) AS history"
)

_STOPPED_BEFORE_XERO = (
    "organisation_id = $1 AND publication_id = $2 AND state = ANY($3::text[])"
    " AND ledger_bill_id IS NULL"
)
"""The publication ($1, $2) stopped (failed or parked, $3) before its bill reached Xero: what
an administrator may recode or give up."""


def _row(record: asyncpg.Record) -> PublicationRow:
    values = dict(record)
    progress = Progress(
        kind=PublicationKind(values.pop("kind")),
        paid=values.pop("paid"),
        history=values.pop("history"),
        pulled=values.pop("pulled"),
        rejected=values.pop("rejected"),
        ledger=Ledger(values.pop("ledger")),
        sent_steps=frozenset(PublicationStep(step) for step in values.pop("sent_steps")),
        **{name: values.pop(name) for name in RESULTS},
    )
    values["document"] = str(values["document"])
    values["last_error"] = None if values["last_error"] is None else str(values["last_error"])
    return PublicationRow(progress=progress, **values)


class Publications:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self,
        publication_id: UUID,
        organisation_id: UUID,
        kind: str,
        request_id: UUID | None,
        dext_item_id: str,
        item_version: int,
        document: str,
        correlation_id: UUID,
        causation_id: UUID,
        traceparent: str | None = None,
    ) -> bool:
        """Records the job; False when this request (or bank item version) already has one."""
        status: str = await self._conn.execute(
            "INSERT INTO publications (publication_id, organisation_id, kind, request_id,"
            " dext_item_id, item_version, state, document, correlation_id, causation_id,"
            " traceparent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)"
            " ON CONFLICT DO NOTHING",
            *(publication_id, organisation_id, kind, request_id, dext_item_id, item_version),
            *(PublicationState.RECORDED, document, correlation_id, causation_id, traceparent),
        )
        return status.endswith(" 1")

    async def get(self, organisation_id: UUID, publication_id: UUID) -> PublicationRow | None:
        record = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM publications WHERE organisation_id = $1"
            " AND publication_id = $2",
            organisation_id,
            publication_id,
        )
        return None if record is None else _row(record)

    async def for_item(self, organisation_id: UUID, dext_item_id: str) -> list[PublicationRow]:
        records = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM publications"
            " WHERE organisation_id = $1 AND dext_item_id = $2 ORDER BY item_version, recorded_at",
            organisation_id,
            dext_item_id,
        )
        return [_row(r) for r in records]

    async def organisations_due(self) -> list[UUID]:
        """Organisations with work due now, among those connected to Xero and not suspended,
        the one whose oldest due job has waited longest first."""
        records = await self._conn.fetch(
            "SELECT p.organisation_id FROM publications p"
            " JOIN xero_connections c ON c.organisation_id = p.organisation_id"
            "  AND c.status = 'connected'"
            " WHERE p.state = ANY($1::text[]) AND p.next_attempt_at <= now()"
            f"  AND {NOT_SUSPENDED.format(table='p')}"
            "  AND (p.leased_until IS NULL OR p.leased_until < now())"
            " GROUP BY p.organisation_id ORDER BY min(p.recorded_at)",
            list(DUE_STATES),
        )
        return [r["organisation_id"] for r in records]

    async def waiting(self) -> int:
        """Jobs still to run (due now or backing off) of connected, unsuspended organisations:
        the publisher's backlog, which its autoscaler follows."""
        count: int = await self._conn.fetchval(
            "SELECT count(*) FROM publications p JOIN xero_connections c"
            " ON c.organisation_id = p.organisation_id AND c.status = 'connected'"
            f" WHERE p.state = ANY($1::text[]) AND {NOT_SUSPENDED.format(table='p')}",
            list(DUE_STATES),
        )
        return count

    async def claim(
        self, organisation_id: UUID, limit: int, lease_s: float
    ) -> list[PublicationRow]:
        """Leases up to ``limit`` due jobs of the organisation, oldest first. A worker that dies
        holding a lease only delays its jobs until the lease runs out."""
        records = await self._conn.fetch(
            f"UPDATE publications SET leased_until = now() + make_interval(secs => $3),"
            f" state = 'publishing', updated_at = now()"
            f" WHERE publication_id IN (SELECT publication_id FROM publications"
            f"  WHERE organisation_id = $1 AND state = ANY($4::text[])"
            f"  AND next_attempt_at <= now()"
            f"  AND (leased_until IS NULL OR leased_until < now())"
            f"  ORDER BY recorded_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
            f" RETURNING {_COLUMNS}",
            organisation_id,
            limit,
            lease_s,
            list(DUE_STATES),
        )
        return sorted((_row(r) for r in records), key=lambda row: row.recorded_at)

    async def renew_leases(self, publication_ids: list[UUID], lease_s: float) -> None:
        await self._conn.execute(
            "UPDATE publications SET leased_until = now() + make_interval(secs => $2)"
            " WHERE publication_id = ANY($1::uuid[]) AND leased_until IS NOT NULL",
            publication_ids,
            lease_s,
        )

    async def mark_sent(self, publication_ids: list[UUID], step: PublicationStep) -> None:
        await self._conn.execute(
            "UPDATE publications SET sent_steps = array_append(array_remove(sent_steps, $2), $2)"
            " WHERE publication_id = ANY($1::uuid[])",
            publication_ids,
            step.value,
        )

    async def record_step(
        self,
        publication_id: UUID,
        step: PublicationStep | None,
        before: Progress,
        after: Progress,
    ) -> None:
        """Stores what a finished step changed (``step`` None: the contact, which is no step of
        its own) and that it is no longer sent; the caller emits its event in the same
        transaction. A Xero organisation's ids go in their uuid ``xero_*`` columns too."""
        earlier = {**before.results(), **before.xero_ids()}
        now = {**after.results(), **after.xero_ids()}
        changed = {name: value for name, value in now.items() if earlier[name] != value}
        # Only the columns the step changed: never a value this job did not write itself.
        assignments = "".join(f", {name} = ${n}" for n, name in enumerate(changed, start=3))
        await self._conn.execute(
            "UPDATE publications SET sent_steps = array_remove(sent_steps, $2),"
            f" updated_at = now(){assignments} WHERE publication_id = $1",
            publication_id,
            None if step is None else step.value,
            *changed.values(),
        )

    async def finish(
        self, publication_id: UUID, state: PublicationState, error: Any = None
    ) -> None:
        await self._conn.execute(
            "UPDATE publications SET state = $2, last_error = $3::jsonb, leased_until = NULL,"
            " updated_at = now() WHERE publication_id = $1",
            publication_id,
            state,
            None if error is None else json.dumps(error),
        )

    async def postpone(
        self, publication_id: UUID, delay_s: float, error: Any, *, count_attempt: bool = True
    ) -> None:
        await self._conn.execute(
            "UPDATE publications SET attempt = attempt + $4, leased_until = NULL,"
            " next_attempt_at = now() + make_interval(secs => $2),"
            " last_error = coalesce($3::jsonb, last_error), updated_at = now()"
            " WHERE publication_id = $1",
            publication_id,
            delay_s,
            None if error is None else json.dumps(error),
            1 if count_attempt else 0,
        )

    async def release(self, publication_id: UUID) -> None:
        await self._conn.execute(
            "UPDATE publications SET leased_until = NULL WHERE publication_id = $1",
            publication_id,
        )

    async def recode(
        self, organisation_id: UUID, publication_id: UUID, bill: str, audit_trail: str
    ) -> bool:
        """Replaces the bill and trail of a stopped publication whose bill is not in Xero."""
        status = await self._conn.execute(
            "UPDATE publications SET document = jsonb_set(jsonb_set(document, '{bill}', $4::jsonb),"
            " '{audit_trail}', $5::jsonb), updated_at = now()"
            f" WHERE {_STOPPED_BEFORE_XERO} AND kind = 'bill'",
            organisation_id,
            publication_id,
            list(RETRYABLE_STATES),
            bill,
            audit_trail,
        )
        return bool(status == "UPDATE 1")

    async def cancel(self, organisation_id: UUID, publication_id: UUID) -> PublicationRow | None:
        """Gives up a stopped publication whose bill is not in Xero; None when it is not."""
        record = await self._conn.fetchrow(
            "UPDATE publications SET state = 'cancelled', leased_until = NULL, updated_at = now()"
            f" WHERE {_STOPPED_BEFORE_XERO} RETURNING {_COLUMNS}",
            organisation_id,
            publication_id,
            list(RETRYABLE_STATES),
        )
        return None if record is None else _row(record)

    async def reopen(self, organisation_id: UUID, publication_id: UUID) -> PublicationRow | None:
        """Puts a failed or parked publication back to work under a new generation; None when
        it is not in a retryable state."""
        record = await self._conn.fetchrow(
            "UPDATE publications SET state = 'publishing', generation = generation + 1,"
            " attempt = 0, next_attempt_at = now(), leased_until = NULL, updated_at = now()"
            f" WHERE organisation_id = $1 AND publication_id = $2 AND state = ANY($3::text[])"
            f" RETURNING {_COLUMNS}",
            organisation_id,
            publication_id,
            list(RETRYABLE_STATES),
        )
        return None if record is None else _row(record)
