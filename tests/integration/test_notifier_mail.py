"""The notifier on the real broker and database, sending over real SMTP to the mail sandbox,
with a stand-in for approval's action grants over real HTTP:

    events on approval.requests.v1 ─▶ mail rows (once, by their key) ─▶ grant ─▶ SMTP ─▶ sent
    a redelivered event ─▶ nothing twice        a person no longer awaited (409) ─▶ nothing
    a crash between record and send ─▶ sent once after the restart (or the lease)
    the mail server away, then back ─▶ delivered; away for good ─▶ given up after N tries
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from countersign_harness.infra import Infrastructure
from countersign_harness.notifier import GrantDesk, RunningNotifier, running_notifier
from countersign_harness.notifier_samples import (
    ANN,
    BOB,
    DAN,
    decided,
    opened,
    overdue,
    published,
    rejected,
)
from countersign_harness.processes import free_port
from countersign_harness.waiting import eventually
from countersign_mail_sandbox.harness import Served, serve
from countersign_notifier.db.mail import MailLog

pytestmark = pytest.mark.integration

Mail = dict[str, Any]


async def inbox(mail: Served, to: str | None = None) -> list[Mail]:
    async with httpx.AsyncClient(base_url=mail.url) as http:
        response = await http.get("/api/messages", params={"to": to} if to else {})
        found: list[Mail] = response.json()
        return found


async def settled(notifier: RunningNotifier, count: int, timeout_s: float = 30) -> list[Any]:
    """The organisation's mail rows once ``count`` exist and none is pending."""
    rows = await eventually(
        notifier.mail_rows,
        lambda rs: len(rs) >= count and all(r["state"] != "pending" for r in rs),
        timeout_s=timeout_s,
    )
    assert len(rows) == count, rows
    return rows


async def test_awaited_people_get_the_bill_and_buttons_carrying_their_own_grant(
    infra: Infrastructure,
    isolation: str,
    mail: Served,
    desk: GrantDesk,
    capfd: pytest.CaptureFixture[str],
) -> None:
    request_id = uuid.uuid4()
    async with running_notifier(
        infra, isolation, approval_url=desk.url, smtp_port=mail.smtp_port
    ) as notifier:
        await notifier.publish(opened(request_id, ANN, BOB, reference="INV-77"))
        await settled(notifier, 2)
    [to_ann] = await inbox(mail, "ann@example.com")
    assert to_ann["subject"] == "Approval needed: Acme Office Supplies Ltd, GBP 126.60"
    assert "INV-77" in to_ann["text"] and "INV-77" in to_ann["html"]
    grants = dict(desk.issued)
    links = {link["text"]: link["url"] for link in to_ann["links"] if link["text"]}
    act = f"http://web.example/act/{grants[ANN.user_id]}?decision="
    assert (links["Approve"], links["Reject"]) == (act + "approve", act + "reject")
    assert links["Open the request"] == f"http://web.example/requests/{request_id}"
    assert len(await inbox(mail, "bob@example.com")) == 1
    logged = "".join(capfd.readouterr())  # the service logs as JSON lines to stdout
    assert "): sent" in logged and all(g not in logged for g in grants.values())


async def test_a_redelivered_or_repeated_event_sends_nothing_twice(
    infra: Infrastructure, isolation: str, mail: Served, desk: GrantDesk
) -> None:
    request_id = uuid.uuid4()
    async with running_notifier(
        infra, isolation, approval_url=desk.url, smtp_port=mail.smtp_port
    ) as notifier:
        await notifier.publish(opened(request_id, ANN, BOB), twice=True)
        # Bob was told for this step already; Ann decided; the step still waits for Bob.
        await notifier.publish(decided(request_id, ANN, BOB, completed=False), twice=True)
        await notifier.publish(overdue(request_id, DAN), overdue(request_id, DAN))
        await notifier.publish(rejected(request_id, DAN, "Six boxes, not five"), twice=True)
        rows = await settled(notifier, 4)
    assert [(r["kind"], r["recipient"], r["state"]) for r in rows] == [
        ("awaiting", "ann@example.com", "sent"),
        ("awaiting", "bob@example.com", "sent"),
        ("overdue", "dan@example.com", "sent"),
        ("rejected", "dana@example.com", "sent"),
    ]
    assert len(await inbox(mail)) == 4
    [rejection] = await inbox(mail, "dana@example.com")
    assert "Six boxes, not five" in rejection["text"] and "Dan Finance" in rejection["html"]


async def test_a_person_no_longer_awaited_gets_nothing(
    infra: Infrastructure, isolation: str, mail: Served, desk: GrantDesk
) -> None:
    del desk.awaited[BOB.user_id]  # type: ignore[arg-type]
    async with running_notifier(
        infra, isolation, approval_url=desk.url, smtp_port=mail.smtp_port
    ) as notifier:
        await notifier.publish(opened(uuid.uuid4(), ANN, BOB))
        rows = await settled(notifier, 2)
    assert {r["recipient"]: r["state"] for r in rows} == {
        "ann@example.com": "sent",
        "bob@example.com": "skipped",
    }
    assert desk.refused == [BOB.user_id]
    assert await inbox(mail, "bob@example.com") == []


async def test_a_crash_between_recording_and_sending_still_sends_once(
    infra: Infrastructure, isolation: str, mail: Served, desk: GrantDesk
) -> None:
    request_id = uuid.uuid4()
    settings = {"approval_url": desk.url, "smtp_port": mail.smtp_port}
    async with running_notifier(infra, isolation, sender_enabled=False, **settings) as notifier:
        await notifier.publish(opened(request_id, ANN, BOB))
        rows = await eventually(notifier.mail_rows, lambda rs: len(rs) == 2)
        assert [r["state"] for r in rows] == ["pending", "pending"]
        # A sender that claimed Bob's mail and died before sending it: its lease runs out.
        claimed = await MailLog(notifier.runtime.pool).claim(1, lease_s=1.0)
        assert [c.recipient for c in claimed] == ["ann@example.com"]
        organisation_id = notifier.organisation_id
    assert await inbox(mail) == []
    async with running_notifier(infra, isolation, **settings) as restarted:
        restarted.organisation_id = organisation_id
        rows = await settled(restarted, 2)
        assert [r["state"] for r in rows] == ["sent", "sent"]
        await restarted.publish(opened(request_id, ANN, BOB))  # and once more, for luck
    assert sorted(m["to"][0] for m in await inbox(mail)) == ["ann@example.com", "bob@example.com"]


async def test_a_mail_server_away_then_back_still_delivers_and_one_away_for_good_is_given_up(
    infra: Infrastructure, isolation: str, desk: GrantDesk
) -> None:
    port = free_port()  # nobody listens there yet
    request_id = uuid.uuid4()
    async with running_notifier(
        infra, isolation, approval_url=desk.url, smtp_port=port, send_max_attempts=30
    ) as notifier:
        await notifier.publish(opened(request_id, ANN))
        rows = await eventually(notifier.mail_rows, lambda rs: bool(rs) and rs[0]["attempts"] >= 2)
        assert (rows[0]["state"], rows[0]["attempts"] >= 2) == ("pending", True)
        assert "ConnectionRefusedError" in rows[0]["last_error"]
        with serve(smtp_port=port) as mail:
            rows = await settled(notifier, 1)
            assert rows[0]["state"] == "sent"
            assert len(await inbox(mail, "ann@example.com")) == 1
    async with running_notifier(
        infra, "t" + uuid.uuid4().hex[:10], approval_url=desk.url, smtp_port=free_port(),
        send_max_attempts=2,
    ) as never:  # fmt: skip
        await never.publish(opened(uuid.uuid4(), ANN))
        [row] = await settled(never, 1)
        assert (row["state"], row["attempts"]) == ("failed", 2)


async def test_the_requester_hears_that_the_bill_is_in_xero(
    infra: Infrastructure, isolation: str, mail: Served, desk: GrantDesk
) -> None:
    request_id = uuid.uuid4()
    event = published(request_id)
    async with running_notifier(
        infra, isolation, approval_url=desk.url, smtp_port=mail.smtp_port
    ) as notifier:
        await notifier.publish(opened(request_id), event, event)  # auto-approved: nobody asked
        await settled(notifier, 1)
    [told] = await inbox(mail)
    assert told["to"] == ["dana@example.com"]
    assert told["subject"] == "In Xero: Acme Office Supplies Ltd, GBP 126.60"
    assert str(event.xero_invoice_id) in told["text"]
