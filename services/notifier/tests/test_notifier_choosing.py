"""Who is told what, for each event: the notifier's rules without a database or a mail server."""

from __future__ import annotations

import uuid

from countersign_contracts import Actor, ActorKind, PublicationStatus
from countersign_harness.notifier_samples import (
    ANN,
    BOB,
    DAN,
    decided,
    escalated,
    opened,
    overdue,
    published,
    rejected,
    user,
)
from countersign_notifier.domain.choosing import (
    known_request,
    when_decided,
    when_escalated,
    when_opened,
    when_overdue,
    when_publication_updated,
    when_rejected,
)
from countersign_notifier.domain.mail import MailKey, MailKind

ORG = uuid.uuid4()


def test_an_opened_request_tells_each_awaited_person_once_by_lower_cased_address() -> None:
    request_id = uuid.uuid4()
    mails = when_opened(ORG, opened(request_id, ANN, BOB, ANN))
    assert [m.key for m in mails] == [
        MailKey(ORG, request_id, MailKind.AWAITING, 0, "ann@example.com"),
        MailKey(ORG, request_id, MailKind.AWAITING, 0, "bob@example.com"),
    ]
    assert [m.user_id for m in mails] == [ANN.user_id, BOB.user_id]
    facts = mails[0].facts
    assert facts.bill is not None and facts.bill.supplier == "Acme Office Supplies Ltd"
    assert (facts.step_name, facts.recipient_name, facts.escalated) == (
        "Budget holder",
        "Ann North",
        False,
    )


def test_people_without_an_address_or_a_user_id_and_auto_approved_requests_are_not_told() -> None:
    no_address = user("Nobody", None)
    system = Actor(kind=ActorKind.SYSTEM, name="Countersign", email="x@example.com")
    assert when_opened(ORG, opened(uuid.uuid4(), no_address, system)) == []
    assert when_opened(ORG, opened(uuid.uuid4())) == []  # auto-approved: no current step


def test_a_completed_step_tells_the_next_steps_approvers_for_the_next_step() -> None:
    request_id = uuid.uuid4()
    known = known_request(ORG, opened(request_id, ANN))
    mails = when_decided(ORG, decided(request_id, ANN, DAN), known)
    assert [(m.key.kind, m.key.step_index, m.key.recipient) for m in mails] == [
        (MailKind.AWAITING, 1, "dan@example.com")
    ]
    assert mails[0].facts.step_name == "Finance" and mails[0].facts.bill == known.bill


def test_a_step_still_open_keys_its_mails_to_the_same_step_so_those_told_are_not_told_again() -> (
    None
):
    request_id = uuid.uuid4()
    first = when_opened(ORG, opened(request_id, ANN, BOB))
    later = when_decided(ORG, decided(request_id, ANN, BOB, completed=False), None)
    assert later[0].key == first[1].key  # Bob's mail for step 0: the database keeps one
    assert later[0].facts.bill is None  # the request was not known: the mail says less


def test_an_escalation_tells_the_targets_as_escalated_and_keys_the_approvers_as_before() -> None:
    request_id = uuid.uuid4()
    admin = user("Ada Admin", "ada@example.com", role="escalation")
    mails = when_escalated(ORG, escalated(request_id, [admin], DAN), None)
    assert [(m.key.recipient, m.facts.escalated) for m in mails] == [
        ("dan@example.com", False),
        ("ada@example.com", True),
    ]
    told_before = when_decided(ORG, decided(request_id, ANN, DAN), None)[0].key
    assert mails[0].key == told_before


def test_an_overdue_step_is_a_reminder_once_per_step_with_its_deadline() -> None:
    request_id = uuid.uuid4()
    event = overdue(request_id, DAN)
    mails = when_overdue(ORG, event, None)
    assert [m.key for m in mails] == [
        MailKey(ORG, request_id, MailKind.OVERDUE, 1, "dan@example.com")
    ]
    assert mails[0].facts.due_at == event.due_at.isoformat()


def test_a_rejection_tells_the_requester_who_rejected_and_why() -> None:
    request_id = uuid.uuid4()
    known = known_request(ORG, opened(request_id, ANN))
    [mail] = when_rejected(rejected(request_id, DAN, "Wrong quantity"), known)
    assert mail.key == MailKey(ORG, request_id, MailKind.REJECTED, None, "dana@example.com")
    assert (mail.user_id, mail.facts.decided_by, mail.facts.reason) == (
        None,
        "Dan Finance",
        "Wrong quantity",
    )


def test_the_requester_hears_only_of_a_published_bill_and_only_when_the_request_is_known() -> None:
    request_id = uuid.uuid4()
    known = known_request(ORG, opened(request_id, ANN))
    event = published(request_id)
    [mail] = when_publication_updated(event, known)
    assert (mail.key.kind, mail.facts.xero_invoice_id) == (
        MailKind.PUBLISHED,
        event.xero_invoice_id,
    )
    assert (
        when_publication_updated(published(request_id, PublicationStatus.PUBLISHING), known) == []
    )
    assert when_publication_updated(event, None) == []
    assert when_rejected(rejected(request_id, DAN, "No"), None) == []
