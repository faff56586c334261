"""The notifier's mails about no one request, on the real broker and database, sent over real
SMTP to the mail sandbox:

    two instances, each passing over the digest again and again ─▶ one digest per person a day
    approval.people.v1 (who the admins are) + ledger.connections.v1 needs_reconnect
        ─▶ one mail to each admin, none to the others, none twice
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from countersign_contracts import (
    LedgerConnectionChanged,
    LedgerConnectionStatus,
    UserAdded,
    UserRef,
)
from countersign_harness.infra import Infrastructure
from countersign_harness.notifier import GrantDesk, RunningNotifier, running_notifier
from countersign_harness.notifier_samples import ANN, BOB, opened
from countersign_harness.waiting import eventually
from countersign_mail_sandbox.harness import Served
from countersign_notifier.handlers.digest import record_digests

from tests.integration.test_notifier_mail import inbox

pytestmark = pytest.mark.integration


async def rows_of(notifier: RunningNotifier, kind: str) -> list[Any]:
    async with notifier.runtime.pool.acquire() as conn:
        return list(
            await conn.fetch(
                "SELECT recipient, occasion, state, facts FROM mail WHERE organisation_id = $1"
                " AND kind = $2 ORDER BY recipient",
                notifier.organisation_id,
                kind,
            )
        )


async def test_two_instances_send_one_digest_a_day_to_each_person_something_awaits(
    infra: Infrastructure, isolation: str, mail: Served, desk: GrantDesk
) -> None:
    settings: dict[str, Any] = {"approval_url": desk.url, "smtp_port": mail.smtp_port}
    # First the requests arrive, while no digest pass is due for an hour.
    async with running_notifier(infra, isolation, digest_poll_interval_s=3600, **settings) as first:
        await first.publish(opened(uuid.uuid4(), ANN, BOB), opened(uuid.uuid4(), ANN))
        await eventually(lambda: rows_of(first, "awaiting"), lambda rs: len(rs) == 3)
        organisation_id = first.organisation_id
    # Then two instances pass over the digest every tenth of a second, side by side.
    fast = {"digest_enabled": True, "digest_hour_utc": 0, "digest_poll_interval_s": 0.1}
    fast.update(settings)
    async with (
        running_notifier(infra, isolation, **fast) as one,
        running_notifier(infra, isolation, **fast) as two,
    ):
        one.organisation_id = two.organisation_id = organisation_id
        sent = await eventually(
            lambda: rows_of(one, "digest"),
            lambda rs: len(rs) == 2 and all(r["state"] == "sent" for r in rs),
            timeout_s=30,
        )
        await asyncio.sleep(1)  # ten more passes each
        again = await record_digests(one.runtime.pool, 0, datetime.now(UTC))
        assert again == 0
        assert len(await rows_of(two, "digest")) == 2
    today = datetime.now(UTC).date().isoformat()
    assert [(r["recipient"], r["occasion"]) for r in sent] == [
        ("ann@example.com", today),
        ("bob@example.com", today),
    ]
    [ann] = [m for m in await inbox(mail, "ann@example.com") if "Waiting" in m["subject"]]
    assert ann["subject"] == "Waiting for you: 2 bills"
    assert "Acme Office Supplies Ltd, GBP 126.60" in ann["text"]
    [bob] = [m for m in await inbox(mail, "bob@example.com") if "Waiting" in m["subject"]]
    assert bob["subject"] == "Waiting for you: 1 bill"


async def test_a_connection_that_needs_reconnecting_is_told_to_each_admin_once_and_invites(
    infra: Infrastructure, isolation: str, mail: Served, desk: GrantDesk
) -> None:
    async with running_notifier(
        infra, isolation, approval_url=desk.url, smtp_port=mail.smtp_port
    ) as notifier:
        org, now = notifier.organisation_id, datetime.now(UTC)

        def added(email: str, name: str, *roles: str, by: UserRef | None = None) -> UserAdded:
            user = UserRef(user_id=uuid.uuid4(), email=email, name=name)
            return UserAdded(
                organisation_id=org, user=user, roles=list(roles), added_at=now, added_by=by,
                organisation_name="Northwind Trading Ltd",
            )  # fmt: skip

        first = added("ada@example.com", "Ada Admin", "admin")  # registered: not invited
        bob = added("bob@example.com", "Bob South", "approver", by=first.user)
        await notifier.publish(first, added("eve@example.com", "Eve Owner", "admin", "approver"))
        await notifier.publish(bob, twice=True)
        broken = LedgerConnectionChanged(
            organisation_id=org,
            ledger="xero",
            status=LedgerConnectionStatus.NEEDS_RECONNECT,
            tenant_name="Demo Company (UK)",
            reason="invalid_grant",
            changed_at=now,
        )
        await eventually(lambda: _people(notifier), lambda n: n == 3, timeout_s=30)
        await notifier.publish(broken, twice=True)
        rows = await eventually(
            lambda: rows_of(notifier, "connection"),
            lambda rs: len(rs) == 2 and all(r["state"] == "sent" for r in rs),
            timeout_s=30,
        )
    assert [r["recipient"] for r in rows] == ["ada@example.com", "eve@example.com"]
    [told] = await inbox(mail, "ada@example.com")
    assert told["subject"] == "Xero needs you: reconnect Demo Company (UK)"
    # Bob is invited once (the event came twice), and hears no alert: he is no admin.
    [invited] = await eventually(
        lambda: inbox(mail, "bob@example.com"), lambda found: len(found) >= 1, timeout_s=30
    )
    await asyncio.sleep(0.5)
    assert len(await inbox(mail, "bob@example.com")) == 1
    assert invited["subject"] == "Ada Admin added you to Northwind Trading Ltd in Countersign"


async def _people(notifier: RunningNotifier) -> int:
    async with notifier.runtime.pool.acquire() as conn:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM people WHERE organisation_id = $1", notifier.organisation_id
        )
        return count
