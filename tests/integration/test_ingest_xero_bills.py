"""Bills in Xero as likely-duplicate candidates, on the real broker and database: ingest keeps
the publisher's ledger.bills.v1 announcements (the newest by Xero's clock) and, at intake, marks
an item that matches a bill entered in Xero directly, or refuses it naming that bill when the
organisation blocks duplicates. A bill Countersign made, and a voided one, are no candidates."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from countersign_contracts import (
    LEDGER_BILLS,
    ORGANISATIONS,
    ChangeSeenBy,
    DuplicatePolicy,
    EventPayload,
    LedgerBillRecorded,
    LedgerBillRemoved,
    XeroInvoiceStatus,
    encode,
    kafka_headers,
    new_envelope,
)
from countersign_dext_sandbox.client import DextClient
from countersign_harness.ingest import RunningIngest
from countersign_harness.kafka import produce
from countersign_harness.waiting import eventually

from tests.integration.test_ingest_duplicates import (
    ISSUED,
    announce,
    invoice,
    policy,
    publish_item,
    submitted,
)

pytestmark = pytest.mark.integration

SEEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TOTAL = Decimal(invoice("any", None)["total"])


def in_xero(number: str, *, supplier: str = "Northwind Stationery Ltd", **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "xero_invoice_id": uuid.uuid4(),
        "invoice_number": number,
        "xero_contact_id": uuid.uuid4(),
        "contact_name": supplier,
        "bill_date": ISSUED,
        "total": TOTAL,
        "currency": "GBP",
        "xero_status": XeroInvoiceStatus.AUTHORISED,
        "publication_id": None,
        "xero_updated_at": SEEN,
        "seen_by": ChangeSeenBy.WEBHOOK,
    }
    return LedgerBillRecorded(**{**fields, **changes})


async def kept(ingest: RunningIngest, dext: DextClient, count: int) -> list[Any]:
    org = uuid.UUID(dext.organisation_id)
    return await eventually(
        lambda: ingest.fetch(
            "SELECT * FROM ledger_bills WHERE organisation_id = $1 ORDER BY invoice_number", org
        ),
        lambda rows: len(rows) >= count,
        timeout_s=20,
    )


async def announce_bills(ingest: RunningIngest, dext: DextClient, *bills: EventPayload) -> None:
    """Each announcement on ledger.bills.v1, in order, and waits until ingest worked them all."""
    org = uuid.UUID(dext.organisation_id)
    ids = []
    for bill in bills:
        envelope = new_envelope(
            bill, producer="publisher", organisation_id=org, correlation_id=uuid.uuid4()
        )
        headers = [(k, v.encode()) for k, v in kafka_headers(envelope).items()]
        record = (envelope.subject_id.encode(), encode(envelope), headers)
        await produce(
            ingest.runtime.settings.kafka_bootstrap_servers,
            ingest.topic_prefix + LEDGER_BILLS,
            [record],
        )
        ids.append(envelope.event_id)
    await eventually(
        lambda: ingest.fetch("SELECT 1 FROM inbox WHERE event_id = ANY($1::uuid[])", ids),
        lambda rows: len(rows) == len(ids),
        timeout_s=20,
    )


async def test_an_item_matching_a_bill_entered_in_xero_is_marked_with_that_bill(
    ingest: RunningIngest, dext: DextClient
) -> None:
    # Dated the day before: it matches x-1 by its number alone, the others not at all.
    entered = in_xero("XB-0042", bill_date=ISSUED - timedelta(days=1))
    ours = in_xero("XB-0043", publication_id=uuid.uuid4())
    voided = in_xero("XB-0044")
    removed = LedgerBillRemoved(
        xero_invoice_id=voided.xero_invoice_id,
        xero_status=XeroInvoiceStatus.VOIDED,
        xero_updated_at=SEEN + timedelta(minutes=1),
        seen_by=ChangeSeenBy.POLL,
    )
    # The last one is older than the removal, arriving after it: it does not bring it back.
    late = voided.model_copy(update={"xero_status": XeroInvoiceStatus.SUBMITTED})
    await announce_bills(ingest, dext, entered, ours, voided, removed, late)
    rows = await kept(ingest, dext, 3)
    assert rows[0]["reference_key"] == "northwindstationeryltd|xb0042"
    assert rows[1]["publication_id"] == ours.publication_id
    assert (rows[2]["removed"], rows[2]["xero_status"], rows[2]["amount_key"]) == (
        True,
        "VOIDED",
        None,
    )

    # x-1 typed differently in Dext; x-2 matches only Countersign's own bill, x-3 the void one.
    for meta in (
        invoice("x-1", "xb 0042", "NORTHWIND stationery ltd."),
        invoice("x-2", "XB-0043"),
        invoice("x-3", "XB-0044"),
    ):
        assert (await publish_item(dext, meta)).status_code == 202

    events = await submitted(ingest, dext, 3)
    assert events["x-1/v1"]["possible_duplicates_in_xero"] == [
        {
            "xero_invoice_id": str(entered.xero_invoice_id),
            "invoice_number": "XB-0042",
            "contact_name": "Northwind Stationery Ltd",
            "reason": "same_invoice_number",
        }
    ]
    assert events["x-1/v1"]["possible_duplicates"] == []
    assert events["x-2/v1"]["possible_duplicates_in_xero"] == []
    assert events["x-3/v1"]["possible_duplicates_in_xero"] == []


async def test_when_blocked_an_item_matching_a_bill_in_xero_is_refused_naming_it(
    ingest: RunningIngest, dext: DextClient
) -> None:
    org = uuid.UUID(dext.organisation_id)
    entered = in_xero("", supplier="Contoso Cleaning")  # no number: date and amount match
    await announce(ingest, dext, ORGANISATIONS, policy(org, DuplicatePolicy.BLOCK))
    await announce_bills(ingest, dext, entered)
    await eventually(
        lambda: ingest.fetch(
            "SELECT policy FROM duplicate_policies WHERE organisation_id = $1", org
        ),
        lambda rows: [r["policy"] for r in rows] == ["block"],
        timeout_s=20,
    )

    refused = await publish_item(dext, invoice("xb-1", "CC-9", "Contoso Cleaning"))

    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:countersign:problem:likely-duplicate"
    assert f"bill of Contoso Cleaning in Xero ({entered.xero_invoice_id})" in problem["detail"]
    assert problem["duplicates"] == []
    assert problem["duplicates_in_xero"][0]["xero_invoice_id"] == str(entered.xero_invoice_id)
    assert problem["errors"][0]["field"] == "total"
    assert problem["errors"][0]["rule"] == "same_date_and_amount"
