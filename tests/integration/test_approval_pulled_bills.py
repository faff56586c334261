"""Bills pulled from Xero in approval (ADR 0058), on the real broker and database: a bill the
publisher tells as submitted in Xero opens a request with source xero, owned by the
organisation's via_xero_requester, on the same workflow, its amounts not editable; a newer
state of the bill supersedes it and restarts; the bill leaving SUBMITTED in Xero cancels the
request still running."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from countersign_contracts import (
    LEDGER_XERO_BILLS,
    BillLeftSubmittedInXero,
    BillSubmittedInXero,
    ChangeSeenBy,
    EventPayload,
    Ledger,
    LineAmountType,
    RequestCancelled,
    RequestOpened,
    RequestSource,
    RequestSuperseded,
    Supplier,
    XeroBill,
    XeroBillLine,
    XeroInvoiceStatus,
    new_envelope,
)
from countersign_harness.approval import ApprovalHarness, Org, as_record, running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce

pytestmark = pytest.mark.integration

INVOICE = uuid.uuid4()
ONE_STEP: dict[str, Any] = {
    "steps": [{"name": "Manager", "approvers": [{"approver": "ann@example.com"}]}],
    "default_approver": "ada@example.com",
}


def submitted(version: int, unit_amount: str) -> BillSubmittedInXero:
    amount = Decimal(unit_amount)
    line = XeroBillLine(description="Rent", quantity=Decimal("1"), unit_amount=amount,
                        account_code="429", tax_type="INPUT2", tax_amount=amount / 5,
                        line_amount=amount)  # fmt: skip
    bill = XeroBill(supplier=Supplier(name="Northside Property Ltd", xero_contact_id=uuid.uuid4()),
                    invoice_number="RENT-7", issue_date=date(2026, 12, 1), currency="GBP",
                    line_amount_type=LineAmountType.EXCLUSIVE, lines=[line], subtotal=amount,
                    total_tax=amount / 5, total=amount * Decimal("1.2"),
                    has_attachments=False)  # fmt: skip
    return BillSubmittedInXero(xero_invoice_id=INVOICE, xero_updated_at=datetime.now(UTC),
                               seen_by=ChangeSeenBy.WEBHOOK, version=version,
                               bill=bill)  # fmt: skip


async def pull(approval: ApprovalHarness, org: Org, payload: EventPayload) -> None:
    journey = uuid.uuid5(org.organisation_id, str(INVOICE))
    envelope = new_envelope(
        payload, producer="publisher", organisation_id=org.organisation_id, correlation_id=journey
    )
    await produce(approval.bootstrap, approval.prefix + LEDGER_XERO_BILLS, [as_record(envelope)])


async def test_a_pulled_bill_opens_a_request_restarts_on_a_new_state_and_ends_when_it_leaves(
    infra: Infrastructure, isolation: str
) -> None:
    item = f"xero:{INVOICE}"
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(
            users=[("ann@example.com", ["approver"]), ("finance@example.com", ["approver"])]
        )
        put = await approval.http.put(org.path("/workflow"), headers=org.auth(), json=ONE_STEP)
        assert put.status_code == 201, put.text
        users = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        [finance] = [u["user_id"] for u in users if u["email"] == "finance@example.com"]
        body = {"ledger_mode": "via_xero", "via_xero_requester": finance}
        set_mode = await approval.http.patch(org.path("/settings"), headers=org.auth(), json=body)
        assert set_mode.status_code == 200, set_mode.text

        await pull(approval, org, submitted(1, "1000.00"))
        first = await approval.request_of(org, item, state="in_approval")
        # Amounts stay as Xero has them: a line's edit takes coding only.
        amount_edit = await approval.http.patch(
            org.path(f"/requests/{first['request_id']}/lines/0"),
            headers=org.auth(),
            json={"line_amount": "1.00"},
        )
        await pull(approval, org, submitted(2, "900.00"))
        second = await approval.request_of(org, item, version=2, state="in_approval")
        await pull(approval, org, submitted(2, "900.00"))  # a repeat: nothing
        left = BillLeftSubmittedInXero(xero_invoice_id=INVOICE, xero_updated_at=datetime.now(UTC),
                                       seen_by=ChangeSeenBy.POLL,
                                       xero_status=XeroInvoiceStatus.DELETED)  # fmt: skip
        await pull(approval, org, left)
        await approval.request_of(org, item, version=2, state="cancelled")
        before = await approval.events(first["request_id"], until="RequestSuperseded")
        after = await approval.events(second["request_id"], until="RequestCancelled")
        listed = await approval.http.get(
            org.path("/requests"), headers=org.auth(), params={"dext_item_id": item}
        )

    assert amount_edit.status_code == 422
    assert amount_edit.headers["content-type"] == "application/problem+json"
    assert amount_edit.json()["errors"][0]["field"].endswith("line_amount")
    [opened] = [e for e in before if isinstance(e, RequestOpened)]
    assert (opened.source, opened.xero_invoice_id, opened.item_version) == (
        RequestSource.XERO,
        INVOICE,
        1,
    )
    assert (opened.ledger, opened.ledger_bill_id) == (Ledger.XERO, str(INVOICE))  # ADR 0065
    assert opened.bill.requester.email == "finance@example.com"
    assert opened.bill.document_reference == "RENT-7"
    assert opened.bill.total == Decimal("1200.00")
    assert opened.bill.source_url.endswith(f"InvoiceID={INVOICE}")
    assert [a.email for a in opened.awaiting] == ["ann@example.com"]
    [superseded] = [e for e in before if isinstance(e, RequestSuperseded)]
    assert superseded.superseded_by_item_version == 2
    reopened = [e for e in after if isinstance(e, RequestOpened)]
    assert [(e.item_version, e.bill.total) for e in reopened] == [(2, Decimal("1080.00"))]
    [cancelled] = [e for e in after if isinstance(e, RequestCancelled)]
    assert cancelled.source is RequestSource.XERO and "DELETED" in (cancelled.reason or "")
    assert sorted((r["item_version"], r["source"]) for r in listed.json()) == [
        (1, "xero"),
        (2, "xero"),
    ]
