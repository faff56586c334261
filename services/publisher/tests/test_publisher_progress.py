"""One typed progress for the job, the row and the view; one table of steps, one registry of
their handlers."""

import uuid
from datetime import UTC, datetime

from countersign_contracts import PublicationKind, PublicationStep
from countersign_publisher.api.publications import PublicationView
from countersign_publisher.db.publications import PublicationRow
from countersign_publisher.domain.progress import STEPS, Progress
from countersign_publisher.handlers.publishing import STEP_HANDLERS


def test_every_step_but_the_batched_bill_has_one_handler() -> None:
    assert set(STEP_HANDLERS) == set(STEPS) - {PublicationStep.CREATE_BILL}


def test_a_sent_step_stays_sent_until_its_answer_is_stored() -> None:
    progress = Progress(kind=PublicationKind.BILL, paid=False)
    sent = progress.sending(PublicationStep.ATTACH_ORIGINAL)
    assert sent.was_sent(PublicationStep.ATTACH_ORIGINAL)
    assert not progress.was_sent(PublicationStep.ATTACH_ORIGINAL)  # frozen: a new value
    assert not sent.answered(PublicationStep.ATTACH_ORIGINAL).was_sent(
        PublicationStep.ATTACH_ORIGINAL
    )
    assert sent.answered(None) == sent  # the contact is no step: nothing was sent for it


def test_the_view_shows_a_row_s_progress_field_for_field() -> None:
    ids = [str(uuid.uuid4()) for _ in range(5)]
    progress = Progress(
        kind=PublicationKind.BILL,
        paid=True,
        ledger_contact_id=ids[0],
        ledger_bill_id=ids[1],
        ledger_original_attachment_id=ids[2],
        ledger_audit_attachment_id=ids[3],
        ledger_payment_id=ids[4],
        history_notes=3,
        xero_status="PAID",
        sent_steps=frozenset({PublicationStep.RECORD_PAYMENT}),
    )
    now = datetime.now(UTC)
    row = PublicationRow(
        publication_id=uuid.uuid4(),
        organisation_id=uuid.uuid4(),
        request_id=uuid.uuid4(),
        dext_item_id="item-1",
        item_version=2,
        state="completed",
        document="{}",
        correlation_id=uuid.uuid4(),
        causation_id=uuid.uuid4(),
        progress=progress,
        generation=1,
        attempt=0,
        next_attempt_at=now,
        last_error='{"step": "record_payment"}',
        recorded_at=now,
        updated_at=now,
    )
    shown = PublicationView.of(row).model_dump(mode="json")
    assert shown["kind"] == "bill"
    assert {name: shown[name] for name in progress.results()} == {
        "ledger_contact_id": ids[0],
        "ledger_bill_id": ids[1],
        "ledger_expense_id": None,
        "ledger_original_attachment_id": ids[2],
        "ledger_audit_attachment_id": ids[3],
        "ledger_payment_id": ids[4],
        "history_notes": 3,
        "xero_status": "PAID",
    }
    # A Xero organisation's ids show under their uuid names too, as before ADR 0068.
    assert shown["ledger"] == "xero"
    assert {name: shown[name] for name in progress.xero_ids()} == {
        "xero_contact_id": ids[0],
        "xero_invoice_id": ids[1],
        "xero_bank_transaction_id": None,
        "original_attachment_id": ids[2],
        "audit_attachment_id": ids[3],
        "xero_payment_id": ids[4],
    }
    assert shown["last_error"] == {"step": "record_payment"}
    assert "sent_steps" not in shown and "paid" not in shown
