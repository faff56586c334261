"""A bill pulled from Xero (ADR 0058), set AUTHORISED there as approved, or back to DRAFT when
its request was rejected. Nothing is created: the bill is the one the capture tool submitted.

    authorise_bill: sent before? read it back (AUTHORISED: done)
        ─▶ the bill in Xero now: still SUBMITTED, and the state that was approved (the
           version told to approval)? else failed, not retryable (its newer state is pulled
           and approved again)
        ─▶ POST /Invoices/{id}: each line by its LineItemID with the approved coding,
           Status AUTHORISED ─▶ BillAuthorised
    return_to_draft: sent before, or DRAFT already? done ─▶ POST /Invoices/{id} Status DRAFT
        ─▶ BillReturnedToDraft (the reason is the history note that follows)
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
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

from countersign_publisher.adapters.xero_errors import XeroValidationError
from countersign_publisher.adapters.xero_mapping import Json, element_failed, xero_bill
from countersign_publisher.db.pulled_bills import PulledBills
from countersign_publisher.domain.pulled_bills import SUBMITTED, submitted_bill
from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.recording import StepPorts, mark_sent, store

__all__ = ["authorise_bill", "return_to_draft"]

_UNCOMPARED = {"has_attachments", "url"}
"""What may move on the bill without changing what was approved."""


def _invoice_id(request: RequestAuthorised | RequestRejected) -> UUID:
    invoice_id = request.xero_invoice_id
    assert invoice_id is not None, "a request pulled from Xero names its bill"
    return invoice_id


def _contact_id(invoice: Json) -> UUID:
    return UUID(str((invoice.get("Contact") or {}).get("ContactID")))


async def _update(
    ports: StepPorts, job: Job, step: PublicationStep, invoice_id: UUID, changes: Json
) -> Json:
    """The step's one write (``POST /Invoices/{id}``), marked sent before it leaves."""
    await mark_sent(ports, [job], step)
    answer = await ports.xero.update_bill(
        job.row.organisation_id, invoice_id, changes, job.key(step)
    )
    ports.crash(f"{step.value}:sent")
    messages = element_failed(answer)
    if messages is not None:
        raise XeroValidationError(messages)
    return answer


async def _approved_state(ports: StepPorts, job: Job, now: Json) -> list[str]:
    """Why the bill in Xero is not the one approved, if it is not (empty: it is)."""
    status = str(now.get("Status"))
    if status != SUBMITTED:
        return [f"The bill is {status} in Xero now, no longer awaiting approval: not changed."]
    async with ports.pool.acquire() as conn:
        told = await PulledBills(conn).last(
            job.row.organisation_id, _invoice_id(job.authorised), lock=False
        )
    current: dict[str, Any] = submitted_bill(now).model_dump(mode="json", exclude=_UNCOMPARED)
    approved = None if told is None else {k: told.bill[k] for k in current if k in told.bill}
    if told is None or told.version != job.row.item_version or approved != current:
        return [
            "The bill changed in Xero after this state of it was approved: not authorised."
            " Its newer state is pulled for approval again."
        ]
    return []


def _authorising(job: Job, now: Json) -> Json:
    """The approved coding on Xero's lines, and Status AUTHORISED."""
    lines = xero_bill(job.authorised.bill, _contact_id(now), "")["LineItems"]
    for line, theirs in zip(lines, now.get("LineItems") or [], strict=True):
        line["LineItemID"] = theirs["LineItemID"]
    return {"InvoiceID": now["InvoiceID"], "Status": "AUTHORISED", "LineItems": lines}


async def authorise_bill(ports: StepPorts, job: Job) -> None:
    invoice_id, step = _invoice_id(job.authorised), PublicationStep.AUTHORISE_BILL
    now = await ports.xero.bill(job.row.organisation_id, invoice_id)
    if not (job.progress.was_sent(step) and now.get("Status") == "AUTHORISED"):
        refused = await _approved_state(ports, job, now)
        if refused:
            raise XeroValidationError(refused, status=None)
        now = await _update(ports, job, step, invoice_id, _authorising(job, now))
    contact_id = _contact_id(now)
    event = BillAuthorised(
        **job.common(),
        xero_invoice_id=invoice_id,
        xero_status=XeroInvoiceStatus(str(now.get("Status") or "AUTHORISED")),
        xero_contact_id=contact_id,
        invoice_number=now.get("InvoiceNumber") or None,
        currency=job.authorised.bill.currency,
        total=Decimal(str(now.get("Total", job.authorised.bill.total))),
    )
    after = replace(
        job.progress,
        xero_invoice_id=invoice_id,
        xero_contact_id=contact_id,
        xero_status="AUTHORISED",
    )
    await store(ports, job, step, after, event)


async def return_to_draft(ports: StepPorts, job: Job) -> None:
    rejected, step = job.rejected, PublicationStep.RETURN_TO_DRAFT
    invoice_id = _invoice_id(rejected)
    now = await ports.xero.bill(job.row.organisation_id, invoice_id)
    status = str(now.get("Status"))
    if status == SUBMITTED:
        draft = {"InvoiceID": str(invoice_id), "Status": "DRAFT"}
        answer = await _update(ports, job, step, invoice_id, draft)
        status = str(answer.get("Status") or "DRAFT")
    elif status != "DRAFT":
        raise XeroValidationError(
            [f"The bill is {status} in Xero now, no longer awaiting approval: not returned."],
            status=None,
        )
    event = BillReturnedToDraft(
        **job.common(),
        xero_invoice_id=invoice_id,
        xero_status=XeroInvoiceStatus(status),
        reason=rejected.reason,
    )
    after = replace(job.progress, xero_invoice_id=invoice_id, xero_status=status)
    await store(ports, job, step, after, event)
