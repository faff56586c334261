"""A QBO organisation's publication (ADR 0068): its ids are QBO's digits, kept as text by
``Progress`` and shown by the view; its events are valid v1 events that say ``ledger`` = qbo,
carry the digits in ``ledger_*_id`` and, in the required ``xero_*`` fields, the record's stable
name-based UUID (``ledger_uuid``)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from countersign_contracts import (
    LEDGER_PUBLICATIONS,
    AttachmentAdded,
    BillCreated,
    EventPayload,
    Ledger,
    PaymentRecorded,
    PublicationCompleted,
    PublicationKind,
    decode,
    ledger_uuid,
)
from countersign_contracts._schemas import load_schemas
from countersign_contracts.cli import DEFAULT_SCHEMAS_DIR
from countersign_publisher.api.publications import PublicationView
from countersign_publisher.db.publications import PublicationRow
from countersign_publisher.domain.progress import Progress
from countersign_publisher.handlers.events import emit_publication_event
from countersign_publisher.handlers.job import Job

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
SCHEMAS = load_schemas(DEFAULT_SCHEMAS_DIR)


class Outbox:
    """Stands in for the transaction's connection: keeps the envelopes ``enqueue`` writes."""

    def __init__(self) -> None:
        self.envelopes: list[dict[str, Any]] = []

    async def execute(self, sql: str, *args: Any) -> None:
        assert sql.startswith("INSERT INTO outbox")
        self.envelopes.append(json.loads(args[-1]))


def job(progress: Progress, organisation_id: uuid.UUID | None = None) -> Job:
    return Job(
        PublicationRow(
            publication_id=uuid.uuid4(),
            organisation_id=organisation_id or uuid.uuid4(),
            request_id=uuid.uuid4(),
            dext_item_id="item-1",
            item_version=1,
            state="completed",
            document="{}",
            correlation_id=uuid.uuid4(),
            causation_id=uuid.uuid4(),
            progress=progress,
            generation=1,
            attempt=0,
            next_attempt_at=NOW,
            last_error=None,
            recorded_at=NOW,
            updated_at=NOW,
        )
    )


QBO_BILL = Progress(
    kind=PublicationKind.BILL,
    paid=True,
    ledger=Ledger.QBO,
    ledger_contact_id="58",
    ledger_bill_id="146",
    ledger_original_attachment_id="5000000000000012345",
    ledger_payment_id="147",
    xero_status="PAID",
)


def events_of(qbo: Job) -> list[EventPayload]:
    """The events the steps build for the job, each from its progress as the steps do."""
    p = qbo.progress
    return [
        BillCreated(
            **qbo.common(), **qbo.named(ledger_bill_id=p.ledger_bill_id,
            ledger_contact_id=p.ledger_contact_id), xero_status="AUTHORISED",
            invoice_number="INV-1", currency="USD", total=Decimal("12.00"),
        ),
        AttachmentAdded(
            **qbo.common(), **qbo.named(ledger_bill_id=p.ledger_bill_id,
            ledger_attachment_id=p.ledger_original_attachment_id),
            attachment_kind="original", file_name="INV-1.pdf", media_type="application/pdf",
            size_bytes=10,
        ),
        PaymentRecorded(
            **qbo.common(), **qbo.named(ledger_payment_id=p.ledger_payment_id,
            ledger_bill_id=p.ledger_bill_id), amount=Decimal("12.00"), currency="USD",
            bank_account={"code": "35"}, paid_on=NOW.date(), xero_invoice_status="PAID",
        ),
        PublicationCompleted(
            **qbo.common(), **qbo.named(ledger_bill_id=p.ledger_bill_id), xero_status="PAID"
        ),
    ]  # fmt: skip


async def emitted(qbo: Job) -> list[dict[str, Any]]:
    outbox = Outbox()
    for event in events_of(qbo):
        await emit_publication_event(outbox, event, qbo.cause)  # type: ignore[arg-type]
    return outbox.envelopes


async def test_a_qbo_publication_s_events_are_valid_v1_events_naming_qbo_and_its_digits() -> None:
    qbo = job(QBO_BILL)
    envelopes = await emitted(qbo)

    for envelope in envelopes:
        schema = SCHEMAS[f"ledger.publications.v1/{envelope['event_type']}.json"]
        jsonschema.Draft202012Validator(schema).validate(envelope)
        read = decode(LEDGER_PUBLICATIONS, json.dumps(envelope))  # as a consumer reads it
        assert (read.payload.ledger, read.payload.ledger_bill_id) == (Ledger.QBO, "146")
    created, attached, paid, completed = (e["payload"] for e in envelopes)
    assert {e["payload"]["ledger"] for e in envelopes} == {"qbo"}
    bill_uuid = str(ledger_uuid(Ledger.QBO, qbo.row.organisation_id, "bill", "146"))
    assert (created["ledger_bill_id"], created["xero_invoice_id"]) == ("146", bill_uuid)
    assert created["ledger_contact_id"] == "58"
    assert created["xero_contact_id"] == str(
        ledger_uuid(Ledger.QBO, qbo.row.organisation_id, "contact", "58")
    )
    assert attached["ledger_attachment_id"] == "5000000000000012345"
    assert attached["xero_invoice_id"] == bill_uuid and attached["ledger_expense_id"] is None
    assert (paid["ledger_payment_id"], paid["ledger_bill_id"]) == ("147", "146")
    assert paid["xero_invoice_id"] == bill_uuid != paid["xero_payment_id"]
    assert completed["xero_invoice_id"] == bill_uuid


async def test_the_name_based_uuid_is_stable_and_differs_between_organisations() -> None:
    organisation = uuid.uuid4()
    first = await emitted(job(QBO_BILL, organisation))
    again = await emitted(job(QBO_BILL, organisation))
    elsewhere = await emitted(job(QBO_BILL))

    def invoice_ids(envelopes: list[dict[str, Any]]) -> set[str]:
        return {e["payload"]["xero_invoice_id"] for e in envelopes}

    assert len(invoice_ids(first)) == 1  # one bill: one uuid, in every event
    assert invoice_ids(first) == invoice_ids(again)
    assert invoice_ids(first).isdisjoint(invoice_ids(elsewhere))
    assert {e["payload"]["ledger_bill_id"] for e in first + elsewhere} == {"146"}


async def test_a_xero_publication_keeps_its_ids_in_both_names() -> None:
    bill, contact = uuid.uuid4(), uuid.uuid4()
    xero = job(Progress(kind=PublicationKind.BILL, paid=False, ledger_contact_id=str(contact)))
    outbox = Outbox()
    event = BillCreated(
        **xero.common(),
        **xero.named(ledger_bill_id=str(bill), ledger_contact_id=str(contact)),
        xero_status="AUTHORISED",
        invoice_number="INV-1",
        currency="GBP",
        total=Decimal("12.00"),
    )
    await emit_publication_event(outbox, event, xero.cause)  # type: ignore[arg-type]

    created = outbox.envelopes[0]["payload"]
    assert created["ledger"] == "xero"
    assert created["xero_invoice_id"] == created["ledger_bill_id"] == str(bill)
    assert created["xero_contact_id"] == created["ledger_contact_id"] == str(contact)


def test_the_view_shows_a_qbo_publication_s_ids_as_text_and_no_xero_uuids() -> None:
    shown = PublicationView.of(job(QBO_BILL).row).model_dump(mode="json")

    assert shown["ledger"] == "qbo"
    assert (shown["ledger_bill_id"], shown["ledger_contact_id"]) == ("146", "58")
    assert shown["ledger_payment_id"] == "147"
    assert shown["xero_invoice_id"] is None and shown["xero_contact_id"] is None
    assert QBO_BILL.xero_ids() == dict.fromkeys(QBO_BILL.xero_ids())  # nothing for uuid columns
