import uuid

from countersign_contracts import PublicationKind, PublicationStep
from countersign_publisher.domain.identifiers import (
    batch_idempotency_key,
    idempotency_key,
    marked_url,
)
from countersign_publisher.domain.progress import Progress, next_step
from countersign_publisher.domain.publication import backoff_s


def test_a_bill_runs_create_attach_attach_then_payment_only_when_paid() -> None:
    ids = [str(uuid.uuid4()) for _ in range(4)]
    unpaid = Progress(kind=PublicationKind.BILL, paid=False)
    assert next_step(unpaid) is PublicationStep.CREATE_BILL
    created = Progress(kind=PublicationKind.BILL, paid=False, ledger_bill_id=ids[0])
    assert next_step(created) is PublicationStep.ATTACH_ORIGINAL
    original = Progress(
        kind=PublicationKind.BILL,
        paid=True,
        ledger_bill_id=ids[0],
        ledger_original_attachment_id=ids[1],
    )
    assert next_step(original) is PublicationStep.ATTACH_AUDIT_REPORT
    both = Progress(
        kind=PublicationKind.BILL,
        paid=True,
        ledger_bill_id=ids[0],
        ledger_original_attachment_id=ids[1],
        ledger_audit_attachment_id=ids[2],
    )
    assert next_step(both) is PublicationStep.RECORD_PAYMENT
    assert next_step(Progress(**{**both.__dict__, "paid": False})) is None
    assert next_step(Progress(**{**both.__dict__, "ledger_payment_id": ids[3]})) is None


def test_a_bank_transaction_runs_create_then_attach() -> None:
    progress = Progress(kind=PublicationKind.BANK_TRANSACTION, paid=False)
    assert next_step(progress) is PublicationStep.CREATE_BANK_TRANSACTION
    created = Progress(kind=PublicationKind.BANK_TRANSACTION, paid=False, ledger_expense_id="146")
    assert next_step(created) is PublicationStep.ATTACH_ORIGINAL


def test_idempotency_keys_name_the_step_and_try_and_fit_xero() -> None:
    publication = uuid.uuid4()
    first = idempotency_key(publication, PublicationStep.CREATE_BILL, 1, 0)
    assert first == idempotency_key(publication, PublicationStep.CREATE_BILL, 1, 0)
    assert first != idempotency_key(publication, PublicationStep.CREATE_BILL, 1, 1)
    assert first != idempotency_key(publication, PublicationStep.CREATE_BILL, 2, 0)
    assert len(first) <= 128
    batch = batch_idempotency_key([first, "b"])
    assert batch == batch_idempotency_key(["b", first]) and len(batch) <= 128


def test_the_marked_url_keeps_the_source_and_names_the_publication() -> None:
    publication = uuid.uuid4()
    assert marked_url("https://d.example/i/1", publication) == (
        f"https://d.example/i/1#countersign-publication={publication}"
    )
    assert marked_url("https://d.example/i/1#x", publication).endswith(
        f"&countersign-publication={publication}"
    )


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff_s(n, 2.0) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff_s(30, 2.0) == 900.0
