"""SQL of the mail log (migration 0001): recorded once by its key, claimed under a lease by the
sender, then sent, skipped, put back for a later try, or given up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from countersign_notifier.domain.mail import Mail, MailFacts, MailKind

__all__ = ["ClaimedMail", "MailLog"]


@dataclass(frozen=True)
class ClaimedMail:
    id: int
    organisation_id: UUID
    request_id: UUID | None
    kind: MailKind
    step_index: int | None
    recipient: str
    user_id: UUID | None
    facts: MailFacts
    attempts: int  # this try included


class MailLog:
    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self._conn = conn

    async def record(self, mails: Sequence[Mail]) -> int:
        """Adds the mails not recorded yet (by their key); how many were new."""
        added = 0
        for mail in mails:
            key = mail.key
            status = await self._conn.execute(
                "INSERT INTO mail (organisation_id, request_id, kind, step_index, recipient,"
                " occasion, user_id, facts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)"
                " ON CONFLICT ON CONSTRAINT mail_once DO NOTHING",
                key.organisation_id, key.request_id, key.kind.value, key.step_index,
                key.recipient, key.occasion, mail.user_id, mail.facts.model_dump_json(),
            )  # fmt: skip
            added += status.endswith(" 1")
        return added

    async def claim(self, limit: int, lease_s: float) -> list[ClaimedMail]:
        """Due pending mails, leased to this sender: another sender, or this one after a crash,
        takes them only once the lease has run out."""
        rows = await self._conn.fetch(
            "UPDATE mail SET leased_until = now() + make_interval(secs => $2),"
            " attempts = attempts + 1 WHERE id IN (SELECT id FROM mail WHERE state = 'pending'"
            " AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())"
            " ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)"
            " RETURNING id, organisation_id, request_id, kind, step_index, recipient, user_id,"
            " facts::text AS facts, attempts",
            limit, lease_s,
        )  # fmt: skip
        return [
            ClaimedMail(
                **{
                    **dict(row),
                    "kind": MailKind(row["kind"]),
                    "facts": MailFacts.model_validate_json(row["facts"]),
                }
            )
            for row in sorted(rows, key=lambda r: r["id"])
        ]

    async def finish(self, mail_id: int, state: str, note: str | None = None) -> None:
        """``sent``, ``skipped`` (nobody to tell any more) or ``failed`` (given up)."""
        await self._conn.execute(
            "UPDATE mail SET state = $2, done_at = now(), leased_until = NULL,"
            " last_error = coalesce($3, last_error) WHERE id = $1",
            mail_id, state, note,
        )  # fmt: skip

    async def postpone(self, mail_id: int, wait_s: float, error: str) -> None:
        await self._conn.execute(
            "UPDATE mail SET next_attempt_at = now() + make_interval(secs => $2),"
            " leased_until = NULL, last_error = $3 WHERE id = $1",
            mail_id, wait_s, error,
        )  # fmt: skip
