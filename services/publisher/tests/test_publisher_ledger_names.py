"""Every event the publisher emits names its ledger and, beside each Xero id, the same record's
``ledger_*_id`` (ADR 0065), filled where all emissions pass (``handlers/events._emit``), so no
step repeats it; the connection's event says the ledger its row holds."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from countersign_contracts import (
    AttachmentAdded,
    BankAccount,
    BillCreated,
    EventPayload,
    LedgerAccount,
    LedgerMasterDataSynced,
    LedgerTrackingCategory,
    LedgerTrackingOption,
    PaymentRecorded,
    PublicationFailed,
    PublicationStep,
    SupplierSynced,
)
from countersign_publisher.db.connections import ConnectionRow
from countersign_publisher.handlers.events import (
    Cause,
    emit_connection,
    emit_master_data,
    emit_publication_event,
    emit_supplier,
)

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
ORG = uuid.uuid4()


class Outbox:
    """Stands in for the transaction's connection: keeps what ``enqueue`` writes."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    async def execute(self, sql: str, *args: Any) -> None:
        assert sql.startswith("INSERT INTO outbox")
        self.payloads.append(json.loads(args[-1])["payload"])


def publication(**fields: Any) -> dict[str, Any]:
    return {
        "publication_id": uuid.uuid4(),
        "kind": "bill",
        "request_id": uuid.uuid4(),
        "dext_item_id": "item-1",
        "item_version": 1,
        **fields,
    }


def step_events(bill: uuid.UUID, contact: uuid.UUID) -> list[EventPayload]:
    return [
        BillCreated(
            **publication(), xero_invoice_id=bill, xero_status="AUTHORISED",
            xero_contact_id=contact, invoice_number="INV-1", currency="GBP", total=Decimal("12.00"),
        ),
        AttachmentAdded(
            **publication(), xero_invoice_id=bill, xero_attachment_id=uuid.uuid4(),
            attachment_kind="original", file_name="INV-1.pdf", media_type="application/pdf",
            size_bytes=10,
        ),
        PaymentRecorded(
            **publication(), xero_payment_id=uuid.uuid4(), xero_invoice_id=bill,
            amount=Decimal("12.00"), currency="GBP", bank_account=BankAccount(code="090"),
            paid_on=NOW.date(), xero_invoice_status="PAID",
        ),
        PublicationFailed(
            **publication(), step=PublicationStep.CREATE_BILL, messages=["refused"],
            retryable=False, attempt=1,
        ),
    ]  # fmt: skip


async def test_each_publication_event_carries_the_ledger_and_ids_that_agree_with_xeros() -> None:
    outbox, bill, contact = Outbox(), uuid.uuid4(), uuid.uuid4()

    for event in step_events(bill, contact):
        await emit_publication_event(outbox, event, Cause(ORG, uuid.uuid4()))  # type: ignore[arg-type]

    created, attached, paid, failed = outbox.payloads
    assert {p["ledger"] for p in outbox.payloads} == {"xero"}
    assert created["ledger_bill_id"] == created["xero_invoice_id"] == str(bill)
    assert created["ledger_contact_id"] == created["xero_contact_id"] == str(contact)
    assert attached["ledger_bill_id"] == str(bill) and attached["ledger_expense_id"] is None
    assert attached["ledger_attachment_id"] == attached["xero_attachment_id"]
    assert paid["ledger_payment_id"] == paid["xero_payment_id"]
    assert paid["ledger_bill_id"] == str(bill)
    assert failed["ledger_bill_id"] is None  # no bill yet: nothing to name, the ledger still said


async def test_suppliers_and_master_data_name_their_ledger_ids_at_every_level() -> None:
    outbox, contact, account = Outbox(), uuid.uuid4(), uuid.uuid4()
    option = LedgerTrackingOption(tracking_option_id=uuid.uuid4(), name="North", status="ACTIVE")
    category = LedgerTrackingCategory(
        tracking_category_id=uuid.uuid4(), name="Region", status="ACTIVE", options=[option]
    )
    supplier = SupplierSynced(
        xero_contact_id=contact, name="Acme Ltd", status="ACTIVE", xero_updated_at=NOW
    )
    snapshot = LedgerMasterDataSynced(
        organisation_id=ORG, tenant_id="t-1", base_currency="GBP", currencies=["GBP"],
        accounts=[LedgerAccount(account_id=account, name="Rent", type="EXPENSE", status="ACTIVE")],
        tax_rates=[], tracking_categories=[category], synced_at=NOW,
    )  # fmt: skip

    await emit_supplier(outbox, supplier, Cause(ORG, uuid.uuid4()))  # type: ignore[arg-type]
    await emit_master_data(outbox, snapshot, Cause(ORG, uuid.uuid4()))  # type: ignore[arg-type]

    synced, master = outbox.payloads
    assert (synced["ledger"], synced["ledger_contact_id"]) == ("xero", str(contact))
    assert master["ledger"] == "xero"
    assert master["accounts"][0]["ledger_account_id"] == str(account)
    [named] = master["tracking_categories"]
    assert named["ledger_tracking_category_id"] == str(category.tracking_category_id)
    assert named["options"][0]["ledger_tracking_option_id"] == str(option.tracking_option_id)


async def test_the_connection_event_says_the_ledger_its_row_holds_not_a_fixed_one() -> None:
    outbox = Outbox()
    row = ConnectionRow(
        organisation_id=ORG, tenant_id="t-1", tenant_name="Acme", access_token=None,
        refresh_token=None, expires_at=None, scope=None, status="connected", last_error=None,
        connected_at=NOW, refreshed_at=None, xero_connection_id=None, changed_by=None,
        changed_at=NOW, ledger="qbo",
    )  # fmt: skip

    await emit_connection(outbox, row)  # type: ignore[arg-type]

    assert outbox.payloads[0]["ledger"] == "qbo"
