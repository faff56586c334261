"""The mails the deadline reminder, a reassignment, the people's events, a connection change
and the daily digest ask for: who is told, once by what key, and in which words."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from countersign_contracts import (
    AbsenceSet,
    Actor,
    LedgerConnectionChanged,
    LedgerConnectionStatus,
    UserAdded,
    UserRef,
)
from countersign_harness.notifier_samples import ANN, BOB, DAN, due_soon, opened, reassigned, user
from countersign_notifier.domain.choosing import (
    known_request,
    when_deadline_approaching,
    when_reassigned,
)
from countersign_notifier.domain.mail import MailKey, MailKind, WaitingItem
from countersign_notifier.domain.people_mail import (
    Admin,
    Waiting,
    digests,
    when_absence_set,
    when_connection_changed,
    when_user_invited,
)
from countersign_notifier.domain.texts import Links, render

ORG = uuid.uuid4()
ADMINS = [
    Admin(uuid.uuid4(), "Ada@Example.com", "Ada Admin"),
    Admin(uuid.uuid4(), "eve@example.com", "Eve Owner"),
]
BUTTONS = Links(
    "https://web.example/requests/r1",
    "https://web.example/act/csg_x?decision=approve",
    "https://web.example/act/csg_x?decision=reject",
    "2026-12-13T10:00:00Z",
)


def test_a_deadline_a_day_away_reminds_each_awaited_person_once_per_step_with_buttons() -> None:
    request_id = uuid.uuid4()
    known = known_request(ORG, opened(request_id, ANN))
    event = due_soon(request_id, DAN, DAN)
    [mail] = when_deadline_approaching(ORG, event, known)
    assert mail.key == MailKey(ORG, request_id, MailKind.DUE_SOON, 1, "dan@example.com")
    assert mail.user_id == DAN.user_id and MailKind.DUE_SOON.has_buttons
    shown = render(mail.key.kind, mail.facts, BUTTONS)
    assert shown.subject == "Reminder, due soon: Acme Office Supplies Ltd, GBP 126.60"
    assert event.due_at.isoformat() in shown.text and "a day from now" in shown.html
    assert "Approve: https://web.example/act/csg_x?decision=approve" in shown.text


def test_a_reassignment_tells_only_the_new_approver_that_the_place_is_theirs_now() -> None:
    request_id = uuid.uuid4()
    [mail] = when_reassigned(ORG, reassigned(request_id, ANN, DAN, BOB), None)
    assert mail.key == MailKey(ORG, request_id, MailKind.AWAITING, 0, "dan@example.com")
    assert mail.facts.reassigned and mail.user_id == DAN.user_id
    shown = render(MailKind.AWAITING, mail.facts, BUTTONS)
    assert "An administrator handed you a place at the step Budget holder." in shown.text


def test_a_connection_that_needs_reconnecting_tells_every_admin_once_by_the_change() -> None:
    changed_at = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    event = LedgerConnectionChanged(
        organisation_id=ORG,
        ledger="xero",
        status=LedgerConnectionStatus.NEEDS_RECONNECT,
        tenant_name="Demo <Company> Ltd",
        reason="invalid_grant",
        changed_at=changed_at,
    )
    mails = when_connection_changed(event, ADMINS)
    occasion = f"xero:needs_reconnect:{changed_at.isoformat()}"
    assert [m.key for m in mails] == [
        MailKey(ORG, None, MailKind.CONNECTION, None, "ada@example.com", occasion),
        MailKey(ORG, None, MailKind.CONNECTION, None, "eve@example.com", occasion),
    ]
    shown = render(MailKind.CONNECTION, mails[0].facts, Links("https://web.example/"))
    assert shown.subject == "Xero needs you: reconnect Demo <Company> Ltd"
    assert "Demo &lt;Company&gt; Ltd" in shown.html and "<Company>" not in shown.html
    assert "invalid_grant" in shown.text


def test_a_connection_an_admin_made_or_ended_tells_nobody() -> None:
    for status in (LedgerConnectionStatus.CONNECTED, LedgerConnectionStatus.DISCONNECTED):
        event = LedgerConnectionChanged(
            organisation_id=ORG, ledger="xero", status=status, changed_at=datetime.now(UTC)
        )
        assert when_connection_changed(event, ADMINS) == []


def test_an_absence_tells_the_substitute_whom_they_stand_in_for_once_per_absence() -> None:
    starts = datetime(2026, 12, 7, tzinfo=UTC)
    away = UserRef(user_id=uuid.uuid4(), email="ann@example.com", name="Ann North")
    sub = UserRef(user_id=uuid.uuid4(), email="Bob@Example.com", name="Bob South")
    event = AbsenceSet(
        organisation_id=ORG, user=away, substitute=sub, starts_at=starts,
        ends_at=starts + timedelta(days=5), set_by=away.user_id, set_at=starts,
    )  # fmt: skip
    [mail] = when_absence_set(event)
    assert (mail.key.kind, mail.key.recipient, mail.key.request_id) == (
        MailKind.STANDING_IN,
        "bob@example.com",
        None,
    )
    shown = render(MailKind.STANDING_IN, mail.facts, Links("https://web.example/inbox"))
    assert shown.subject == "You stand in for Ann North"
    assert starts.isoformat() in shown.text


def test_the_digest_is_one_mail_per_person_a_day_listing_what_waits_for_them() -> None:
    dan, ann = user("Dan Finance", "dan@example.com"), user("Ann North", "ann@example.com")
    first, second = uuid.uuid4(), uuid.uuid4()

    def waiting(who: Actor, request_id: uuid.UUID, what: str) -> Waiting:
        assert who.user_id is not None and who.email is not None
        item = WaitingItem(request_id=request_id, what=what, step_name="Finance")
        return Waiting(ORG, who.email, who.user_id, who.name, item)

    day = date(2026, 12, 6)
    mails = digests(
        day,
        [
            waiting(dan, first, "Acme Office Supplies Ltd, GBP 126.60"),
            waiting(dan, second, "Paper & Co, GBP 12.00"),
            waiting(ann, first, "Acme Office Supplies Ltd, GBP 126.60"),
        ],
    )
    assert [(m.key.kind, m.key.recipient, m.key.occasion) for m in mails] == [
        (MailKind.DIGEST, "dan@example.com", "2026-12-06"),
        (MailKind.DIGEST, "ann@example.com", "2026-12-06"),
    ]
    assert digests(day, []) == []  # nothing waits: no digest
    shown = render(
        MailKind.DIGEST,
        mails[0].facts,
        Links("https://web.example/inbox", web="https://web.example"),
    )
    assert shown.subject == "Waiting for you: 2 bills"
    assert f"https://web.example/requests/{second}" in shown.text
    assert "Paper &amp; Co, GBP 12.00" in shown.html


def test_a_person_an_admin_added_is_invited_once_and_the_first_admin_is_not() -> None:
    ada = UserRef(user_id=uuid.uuid4(), email="ada@example.com", name="Ada Admin")
    rex = UserRef(user_id=uuid.uuid4(), email="Rex@Example.com", name="Rex Reviewer")
    now = datetime.now(UTC)
    invited = UserAdded(
        organisation_id=ORG, user=rex, roles=["reviewer", "approver"], added_at=now,
        organisation_name="Northwind Trading Ltd", added_by=ada,
    )  # fmt: skip
    registered = UserAdded(organisation_id=ORG, user=ada, roles=["admin"], added_at=now)

    [mail] = when_user_invited(invited)
    shown = render(mail.key.kind, mail.facts, Links("https://web.example/sign-in"))

    assert when_user_invited(registered) == []
    assert mail.key == MailKey(
        ORG, None, MailKind.INVITED, None, "rex@example.com", str(rex.user_id)
    )  # one per user: a redelivery adds nothing
    assert mail.user_id is None and not MailKind.INVITED.has_buttons
    assert shown.subject == "Ada Admin added you to Northwind Trading Ltd in Countersign"
    assert "Your roles: approver, reviewer." in shown.text
    assert "https://web.example/sign-in" in shown.text and "no password" in shown.html
