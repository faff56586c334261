"""A published item's status detail (no IO): it names the record by its Xero id as always and,
when the publisher's event says them, by its ledger and its id there (ADR 0068)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from countersign_contracts import BillCreated, Ledger, PublicationCompleted, ledger_uuid
from countersign_ingest.domain.items import ItemStatus
from countersign_ingest.domain.news import news_of

ORG = uuid.uuid4()


def publication() -> dict[str, Any]:
    return {
        "publication_id": uuid.uuid4(),
        "kind": "bill",
        "request_id": uuid.uuid4(),
        "dext_item_id": "item-1",
        "item_version": 1,
    }


def bill_created(**names: Any) -> BillCreated:
    return BillCreated(
        **publication(),
        xero_invoice_id=ledger_uuid(Ledger.QBO, ORG, "bill", "146"),
        xero_contact_id=ledger_uuid(Ledger.QBO, ORG, "contact", "58"),
        xero_status="AUTHORISED",
        invoice_number="INV-1",
        currency="USD",
        total=Decimal("12.00"),
        **names,
    )


def test_a_qbo_bill_s_detail_names_its_ledger_and_digits_beside_the_xero_key() -> None:
    qbo_uuid = str(ledger_uuid(Ledger.QBO, ORG, "bill", "146"))

    status, detail = news_of(bill_created(ledger=Ledger.QBO, ledger_bill_id="146"))
    _, completed = news_of(
        PublicationCompleted(
            **publication(),
            xero_invoice_id=uuid.UUID(qbo_uuid),
            ledger=Ledger.QBO,
            ledger_bill_id="146",
            xero_status="PAID",
        )
    )

    assert status is ItemStatus.PUBLISHED
    assert detail == {
        "xero_invoice_id": qbo_uuid,
        "ledger": "qbo",
        "ledger_bill_id": "146",
        "xero_status": "AUTHORISED",
        "messages": [],
    }
    assert (completed["ledger"], completed["ledger_bill_id"]) == ("qbo", "146")
    assert "ledger_expense_id" not in completed


def test_an_event_from_before_the_ledger_names_keeps_the_detail_it_always_had() -> None:
    _, detail = news_of(bill_created())

    assert set(detail) == {"xero_invoice_id", "xero_status", "messages"}
