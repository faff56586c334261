"""The notes written to a Xero bill's History and Notes: one per decision, naming the step,
who decided (and for whom), when, and their comment, within Xero's Details limit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from countersign_contracts import (
    Actor,
    ActorKind,
    AuditAction,
    AuditEntry,
    PublicationKind,
    PublicationStep,
    StepRef,
)
from countersign_harness.publisher_samples import authorised_request, sample_bill
from countersign_publisher.adapters.qbo_reading import notes_of, with_notes
from countersign_publisher.domain.history_notes import MAX_NOTE_LENGTH, history_notes, note
from countersign_publisher.domain.progress import Progress, next_step
from countersign_publisher.handlers.history import _not_found

AT = datetime(2026, 5, 4, 9, 12, tzinfo=UTC)
DIRECTOR = StepRef(index=1, name="Director")


def _person(name: str, role: str) -> Actor:
    return Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name=name, role=role)


def _entry(action: AuditAction, actor: Actor, **fields: object) -> AuditEntry:
    return AuditEntry.model_validate({"at": AT, "actor": actor, "action": action, **fields})


def test_history_notes_are_one_per_decision_with_step_person_time_and_comment() -> None:
    notes = history_notes(authorised_request(sample_bill("HN-1")))
    assert notes == [
        'Countersign, step 1 "Review": reviewed by Ravi Mehta, 2026-11-03 09:30 UTC:'
        ' "Coded to expenses"',
        'Countersign, step 2 "Finance approval": approved by Priya Natarajan,'
        ' 2026-11-03 09:30 UTC: "Fine by me"',
        'Countersign, step 3 "Director approval": force-approved by Olu Adebayo'
        ' (administrator), 2026-11-03 09:30 UTC: "Director away; forced"',
    ]


def test_history_notes_name_substitutes_escalations_and_auto_approval() -> None:
    absent = _person("Cy Ng", "approver")
    substitute = _entry(
        AuditAction.APPROVED,
        _person("Bo Kim", "substitute"),
        step=DIRECTOR,
        on_behalf_of=absent,
    )
    assert note(substitute) == (
        'Countersign, step 2 "Director": approved by Bo Kim (substitute for Cy Ng),'
        " 2026-05-04 09:12 UTC"
    )
    system = Actor(kind=ActorKind.SYSTEM, name="Countersign")
    escalated = _entry(AuditAction.ESCALATED, system, step=DIRECTOR, comment="to Dee Park")
    assert note(escalated) == (
        'Countersign, step 2 "Director": escalated, 2026-05-04 09:12 UTC: "to Dee Park"'
    )
    auto = _entry(AuditAction.AUTO_APPROVED, system, comment="auto-approval rule 1")
    assert note(auto) == 'Countersign: auto-approved, 2026-05-04 09:12 UTC: "auto-approval rule 1"'
    forced_for = _entry(
        AuditAction.FORCE_APPROVED,
        _person("Ann Admin", "admin"),
        step=DIRECTOR,
        on_behalf_of=absent,
    )
    assert "force-approved by Ann Admin (administrator, for Cy Ng)" in note(forced_for)


def test_a_history_note_keeps_within_xeros_details_limit() -> None:
    long = _entry(
        AuditAction.APPROVED, _person("Ann Lee", "approver"), step=DIRECTOR, comment="x" * 4000
    )
    text = note(long)
    assert len(text) == MAX_NOTE_LENGTH
    assert text.endswith('x…"')
    assert text.startswith('Countersign, step 2 "Director": approved by Ann Lee')


def test_history_notes_come_right_after_the_bill_unless_turned_off() -> None:
    created = Progress(
        kind=PublicationKind.BILL, paid=False, history=True, ledger_bill_id=str(uuid.uuid4())
    )
    assert next_step(created) is PublicationStep.WRITE_HISTORY
    written = Progress(**{**created.__dict__, "history_notes": 3})
    assert next_step(written) is PublicationStep.ATTACH_ORIGINAL
    assert next_step(Progress(**{**created.__dict__, "history": False})) is (
        PublicationStep.ATTACH_ORIGINAL
    )
    bank = Progress(
        kind=PublicationKind.BANK_TRANSACTION,
        paid=False,
        history=True,
        ledger_expense_id=str(uuid.uuid4()),
    )
    assert next_step(bank) is PublicationStep.ATTACH_ORIGINAL


def test_a_note_the_ledger_cut_to_fit_is_found_again_and_not_written_twice() -> None:
    wanted = [f"Approved by Ann: {'why ' * 600}", "Paid", f"Reviewed by Rex: {'ok ' * 900}"]
    stored = notes_of(with_notes("marker", wanted))

    assert _not_found(wanted, stored) == []
    assert _not_found([*wanted, "Another note"], stored) == ["Another note"]
    assert _not_found(wanted, stored[:1]) == wanted[1:]
