"""The daily digest: once a day, at or after ``digest_hour_utc``, each person something awaits
gets one mail listing it all.

    every ``interval_s``: before the hour ─▶ nothing
                          at or after it   ─▶ one ``digest`` mail per person awaited, keyed by
                                              the day (``MailKey.occasion``), inserted with
                                              ON CONFLICT DO NOTHING

Every instance runs the pass; the key makes the digest once per person per day whichever
instance, and however many passes, get there (the sender sends it like any mail). Nobody is
awaited: nothing is recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
from countersign_platform.loops import BackgroundLoop

from countersign_notifier.db.awaiting import Awaiting
from countersign_notifier.db.mail import MailLog
from countersign_notifier.domain.people_mail import digests

__all__ = ["digest_loop", "record_digests"]

log = logging.getLogger(__name__)


async def record_digests(pool: asyncpg.Pool, hour_utc: int, now: datetime) -> int:
    """Records today's digests when the hour has come; how many were new."""
    if now.hour < hour_utc:
        return 0
    async with pool.acquire() as conn, conn.transaction():
        mails = digests(now.date(), await Awaiting(conn).everyone())
        added = await MailLog(conn).record(mails)
    if added:
        log.info("%d digest(s) to send for %s", added, now.date().isoformat())
    return added


def digest_loop(
    pool: asyncpg.Pool,
    hour_utc: int,
    interval_s: float,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> BackgroundLoop:
    async def run_pass() -> bool:
        await record_digests(pool, hour_utc, clock())
        return False

    return BackgroundLoop("daily-digest", run_pass, interval_s=interval_s)
