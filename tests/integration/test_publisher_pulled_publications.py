"""A bill pulled from Xero, once approved or rejected (ADR 0058), against the Xero sandbox over
real HTTP on real Kafka and Postgres: approved, the very bill in Xero becomes AUTHORISED with
the approved coding, its history notes and the audit report (no second bill, no original
attached again, also after a crash anywhere); changed in Xero after approval, it is left as
it is and the publication fails; rejected, it goes back to DRAFT with the reason in its
history."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from countersign_approval.domain.people import Participant
from countersign_approval.domain.pulled_bills import pulled_version
from countersign_contracts import (
    LEDGER_PUBLICATIONS,
    ORGANISATIONS,
    Actor,
    ActorKind,
    BillSubmittedInXero,
    ChangeSeenBy,
    RequestAuthorised,
    RequestRejected,
    RequestSource,
    StepRef,
    XeroBill,
)
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import RunningPublisher, running_publisher
from countersign_harness.publisher_samples import authorised_request
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox
from countersign_publisher.db.publications import Publications

from tests.integration.test_publisher_bypass import Xero
from tests.integration.test_publisher_crashes import worker_crashed_then_resumed
from tests.integration.test_publisher_publication import events, send
from tests.integration.test_publisher_pulled_bills import TODAY, mode_kept, pulled, via_xero
from tests.support.crash_ledgers import XeroBooks

pytestmark = pytest.mark.integration

REQUESTER = Participant(user_id=uuid.uuid4(), email="pat@example.com", name="Pat Okafor")
RECODED = "400"  # the reviewer's account, in place of the capture tool's 429


class Pulled:
    """An organisation in the via-Xero mode and a bill submitted in its Xero, pulled."""

    def __init__(self, publisher: RunningPublisher, sandbox: XeroSandbox) -> None:
        self.publisher, self.sandbox = publisher, sandbox
        self.tenant_id = sandbox.create_tenant(name="Pulled Publications Ltd")["tenant_id"]
        self.org, self.xero = uuid.uuid4(), Xero(sandbox, self.tenant_id)
        self.invoice_id = ""

    async def submit(self, infra: Infrastructure, isolation: str, number: str) -> None:
        await self.publisher.connect(self.org, self.sandbox, self.tenant_id)
        await send(infra, isolation, ORGANISATIONS, self.org, via_xero(self.org))
        await eventually(lambda: mode_kept(self.publisher, self.org), lambda m: m == "via_xero")
        self.invoice_id = await self.xero.bill(number, TODAY, status="SUBMITTED")
        await self.publisher.parts.change_poll.poll(self.org)
        await pulled(self.publisher, self.invoice_id, 1, "SUBMITTED")

    async def as_told(self) -> BillSubmittedInXero:
        bill = await self.publisher.runtime.pool.fetchval(
            "SELECT bill FROM pulled_bills WHERE xero_invoice_id = $1", uuid.UUID(self.invoice_id)
        )
        return BillSubmittedInXero(
            xero_invoice_id=uuid.UUID(self.invoice_id),
            xero_updated_at=datetime.now(UTC),
            seen_by=ChangeSeenBy.POLL,
            version=1,
            bill=XeroBill.model_validate(json.loads(bill)),
        )

    async def approved(self) -> RequestAuthorised:
        """The request approval authorises for it, the reviewer's recoding included."""
        item = pulled_version(await self.as_told(), REQUESTER)
        lines = [line.model_copy(update={"account_code": RECODED}) for line in item.bill.lines]
        request = authorised_request(item.bill.model_copy(update={"lines": lines}))
        return request.model_copy(update=self._about(item.dext_item_id))

    async def rejected(self) -> RequestRejected:
        item = pulled_version(await self.as_told(), REQUESTER)
        approver = Actor(
            kind=ActorKind.USER, user_id=uuid.uuid4(), name="Dee Moss", role="approver"
        )
        return RequestRejected(
            request_id=uuid.uuid4(),
            item_version=1,
            workflow=authorised_request(item.bill).workflow,
            rejected_by=approver,
            reason="Not our lease: the landlord billed the wrong tenant",
            step=StepRef(index=1, name="Director"),
            rejected_at=datetime.now(UTC),
            **self._about(item.dext_item_id),
        )

    def _about(self, item_id: str) -> dict[str, Any]:
        return {
            "dext_item_id": item_id,
            "source": RequestSource.XERO,
            "xero_invoice_id": uuid.UUID(self.invoice_id),
        }

    async def stage(self, request: RequestAuthorised | RequestRejected) -> None:
        async with self.publisher.runtime.pool.acquire() as conn:
            await Publications(conn).add(
                uuid.uuid4(), self.org, "bill", request.request_id, request.dext_item_id, 1,
                request.model_dump_json(), uuid.uuid4(), uuid.uuid4(),
            )  # fmt: skip

    def state(self) -> dict[str, Any]:
        return self.sandbox.state(self.tenant_id)

    def notes(self) -> list[str]:
        history = self.state()["history"].get(self.invoice_id, [])
        return [r["Details"] for r in history if r["Changes"] == "Note"]


async def _row(publisher: RunningPublisher) -> Any:
    return await publisher.runtime.pool.fetchrow("SELECT state, last_error FROM publications")


def _assert_authorised_once(bill: Pulled) -> None:
    state = bill.state()
    (invoice,) = state["invoices"]
    assert invoice["InvoiceID"] == bill.invoice_id and invoice["Status"] == "AUTHORISED"
    assert [line["AccountCode"] for line in invoice["LineItems"]] == [RECODED]
    assert Decimal(str(invoice["Total"])) == Decimal("1200.00")  # Xero's amounts kept
    assert [a["FileName"].endswith(".pdf") for a in invoice["Attachments"]] == [True]
    assert len(bill.notes()) == len(set(bill.notes())) == 3
    assert "PUT /Invoices" not in state["calls"]["by_endpoint"]


async def test_an_approved_pulled_bill_is_authorised_in_xero_with_notes_and_audit_report(
    infra: Infrastructure, isolation: str, settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        bill = Pulled(publisher, xero_sandbox)
        await bill.submit(infra, isolation, "PULL-1")
        approved = await bill.approved()
        await bill.stage(approved)
        await publisher.parts.worker.run_until_idle()
        row = await _row(publisher)
        found = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: "PublicationCompleted" in types(e)
        )

    assert row["state"] == "completed"
    _assert_authorised_once(bill)
    (invoice,) = bill.state()["invoices"]
    assert invoice["Attachments"][0]["FileName"].startswith("approval-audit-xero_")
    assert types(found) == [
        "BillAuthorised", "HistoryNotesAdded", "AttachmentAdded", "PublicationCompleted",
    ]  # fmt: skip
    authorised = found[0]["payload"]
    assert authorised["xero_invoice_id"] == bill.invoice_id
    assert authorised["dext_item_id"] == f"xero:{bill.invoice_id}"


@pytest.mark.parametrize("crash_at", ["authorise_bill:sent", "authorise_bill:stored"])
async def test_a_crash_while_authorising_resumes_without_a_second_write(
    crash_at: str,
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
) -> None:
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        bill = Pulled(publisher, xero_sandbox)
        await bill.submit(infra, isolation, f"PULL-C-{crash_at}")
        await bill.stage(await bill.approved())
        final = await worker_crashed_then_resumed(
            publisher,
            crash_at,
            lambda: XeroBooks(xero_sandbox).forget(bill.tenant_id),
            lambda: publisher.runtime.pool.fetchval("SELECT state FROM publications"),
        )

    assert final == "completed"
    _assert_authorised_once(bill)
    posts = bill.state()["calls"]["by_endpoint"].get("POST /Invoices/{id}", 0)
    assert posts == 1  # read back after the crash: AUTHORISED already, not sent again


async def test_a_bill_changed_in_xero_after_approval_is_not_authorised(
    infra: Infrastructure, isolation: str, settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        bill = Pulled(publisher, xero_sandbox)
        await bill.submit(infra, isolation, "PULL-CHANGED")
        await bill.stage(await bill.approved())
        line = {"Description": "Rent", "Quantity": 1, "UnitAmount": "1100.00",
                "AccountCode": "429", "TaxType": "INPUT2"}  # fmt: skip
        path = f"{bill.xero.tenant}/invoices/{bill.invoice_id}"
        await bill.xero.call("PATCH", path, {"LineItems": [line]})
        await publisher.parts.worker.run_until_idle()
        row = await _row(publisher)

    assert row["state"] == "failed"
    error = json.loads(row["last_error"])
    assert "changed in Xero after this state of it was approved" in error["messages"][0]
    assert error["step"] == "authorise_bill"  # failed at once: a validation, never retried
    (invoice,) = bill.state()["invoices"]
    assert invoice["Status"] == "SUBMITTED" and Decimal(str(invoice["Total"])) == Decimal("1320")
    assert bill.notes() == []


async def test_a_rejected_pulled_bill_goes_back_to_draft_with_the_reason(
    infra: Infrastructure, isolation: str, settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    async with running_publisher(settings_for(worker_enabled=False)) as publisher:
        bill = Pulled(publisher, xero_sandbox)
        await bill.submit(infra, isolation, "PULL-REJECTED")
        await bill.stage(await bill.rejected())
        await publisher.parts.worker.run_until_idle()
        row = await _row(publisher)
        found = await events(
            infra, isolation, LEDGER_PUBLICATIONS, lambda e: "PublicationCompleted" in types(e)
        )

    assert row["state"] == "completed"
    (invoice,) = bill.state()["invoices"]
    assert invoice["Status"] == "DRAFT" and invoice["Attachments"] == []
    (note,) = bill.notes()
    assert note.startswith('Countersign, step 2 "Director": rejected by Dee Moss')
    assert note.endswith(': "Not our lease: the landlord billed the wrong tenant"')
    assert types(found) == ["BillReturnedToDraft", "HistoryNotesAdded", "PublicationCompleted"]


def types(found: list[dict[str, Any]]) -> list[str]:
    return [e["event_type"] for e in found]
