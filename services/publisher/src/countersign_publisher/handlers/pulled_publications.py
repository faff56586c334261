"""A bill pulled from the ledger (ADR 0058, via-Xero mode), authorised there as approved, or
back to draft when its request was rejected. Nothing is created: the bill is the one the capture
tool submitted. A ledger without this mode refuses both (``LedgerUnsupported``).

    authorise_bill: sent before? read it back (AUTHORISED: done)
        ─▶ the bill in the ledger now: still SUBMITTED, and the state that was approved (the
           version told to approval)? else failed, not retryable (its newer state is pulled
           and approved again)
        ─▶ ``Ledger.authorise`` (Xero: POST /Invoices/{id}, each line by its LineItemID with
           the approved coding, Status AUTHORISED) ─▶ BillAuthorised
    return_to_draft: sent before, or DRAFT already? done ─▶ ``Ledger.return_to_draft``
        ─▶ BillReturnedToDraft (the reason is the history note that follows)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from countersign_contracts import (
    BillAuthorised,
    BillReturnedToDraft,
    PublicationStep,
    RequestAuthorised,
    RequestRejected,
    XeroInvoiceStatus,
)

from countersign_publisher.db.pulled_bills import PulledBills
from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.recording import StepPorts, mark_sent, store
from countersign_publisher.ledger.errors import LedgerRefused
from countersign_publisher.ledger.values import BillStatus, LedgerBill

__all__ = ["authorise_bill", "return_to_draft"]

_UNCOMPARED = {"has_attachments", "url"}
"""What may move on the bill without changing what was approved."""


def _invoice_id(request: RequestAuthorised | RequestRejected) -> UUID:
    invoice_id = request.xero_invoice_id
    assert invoice_id is not None, "a request pulled from the ledger names its bill"
    return invoice_id


async def _approved_state(ports: StepPorts, job: Job, now: LedgerBill) -> list[str]:
    """Why the bill in the ledger is not the one approved, if it is not (empty: it is)."""
    title = ports.ledger(job).title
    if now.status != BillStatus.SUBMITTED:
        return [
            f"The bill is {now.status} in {title} now, no longer awaiting approval: not changed."
        ]
    async with ports.pool.acquire() as conn:
        told = await PulledBills(conn).last(
            job.row.organisation_id, _invoice_id(job.authorised), lock=False
        )
    submitted = ports.ledger(job).submitted(now)
    current: dict[str, Any] = submitted.model_dump(mode="json", exclude=_UNCOMPARED)
    approved = None if told is None else {k: told.bill[k] for k in current if k in told.bill}
    if told is None or told.version != job.row.item_version or approved != current:
        return [
            f"The bill changed in {title} after this state of it was approved: not authorised."
            " Its newer state is pulled for approval again."
        ]
    return []


async def authorise_bill(ports: StepPorts, job: Job) -> None:
    invoice_id, step = _invoice_id(job.authorised), PublicationStep.AUTHORISE_BILL
    org = job.row.organisation_id
    bill_id = str(invoice_id)
    now = await ports.ledger(job).bill(org, bill_id)
    if not (job.progress.was_sent(step) and now.status == BillStatus.AUTHORISED):
        refused = await _approved_state(ports, job, now)
        if refused:
            raise LedgerRefused(refused, status=None)
        await mark_sent(ports, [job], step)
        now = await ports.ledger(job).authorise(org, now, job.authorised.bill, job.key(step))
        ports.crash(f"{step.value}:sent")
    contact_id = now.contact_id
    assert contact_id is not None, "a bill in the ledger has its contact"
    bill = job.authorised.bill
    event = BillAuthorised(
        **job.common(),
        **job.named(ledger_bill_id=bill_id, ledger_contact_id=contact_id),
        xero_status=XeroInvoiceStatus(now.status or BillStatus.AUTHORISED),
        invoice_number=now.number,
        currency=bill.currency,
        total=bill.total if now.total is None else now.total,
    )
    after = replace(
        job.progress,
        ledger_bill_id=bill_id,
        ledger_contact_id=contact_id,
        xero_status="AUTHORISED",
    )
    await store(ports, job, step, after, event)


async def return_to_draft(ports: StepPorts, job: Job) -> None:
    rejected, step = job.rejected, PublicationStep.RETURN_TO_DRAFT
    bill_id = str(_invoice_id(rejected))
    org = job.row.organisation_id
    now = await ports.ledger(job).bill(org, bill_id)
    status = now.status
    if status == BillStatus.SUBMITTED:
        await mark_sent(ports, [job], step)
        answer = await ports.ledger(job).return_to_draft(org, bill_id, job.key(step))
        ports.crash(f"{step.value}:sent")
        status = answer.status or BillStatus.DRAFT
    elif status != BillStatus.DRAFT:
        raise LedgerRefused(
            [
                f"The bill is {status} in {ports.ledger(job).title} now,"
                " no longer awaiting approval: not returned."
            ],
            status=None,
        )
    event = BillReturnedToDraft(
        **job.common(),
        **job.named(ledger_bill_id=bill_id),
        xero_status=XeroInvoiceStatus(status),
        reason=rejected.reason,
    )
    after = replace(job.progress, ledger_bill_id=bill_id, xero_status=str(status))
    await store(ports, job, step, after, event)
