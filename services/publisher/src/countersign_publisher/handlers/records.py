"""The ledger record a publication creates, after the contact it goes to: a bill (created in
batches of up to 50, each element with its own outcome) or an expense (in Xero a SPEND bank
transaction).

    resolve_contact ─▶ was create_bill sent before? ─▶ find_bill (by number and contact, our
                                                       marker on it) ─▶ bill_created
                    └▶ create_bills (one call per batch) ─▶ bill_created, per element
    resolve_contact ─▶ create_bank_transaction (an expense sent before is found by its marker)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

import asyncpg
from countersign_contracts import (
    BankTransactionCreated,
    BillCreated,
    PublicationKind,
    PublicationStep,
    XeroBankTransactionStatus,
    XeroInvoiceStatus,
)

from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.recording import StepPorts, mark_sent, store
from countersign_publisher.ledger.errors import LedgerRefused
from countersign_publisher.ledger.values import (
    BillStatus,
    LedgerBill,
    LedgerExpense,
    LedgerId,
    NewBill,
    Refusal,
)

__all__ = [
    "bill_created",
    "create_bank_transaction",
    "create_bills",
    "find_bill",
    "resolve_contact",
]


def _contact_of(job: Job) -> LedgerId:
    contact_id = job.progress.ledger_contact_id
    assert contact_id is not None, "the contact is resolved before the record is created"
    return contact_id


async def resolve_contact(ports: StepPorts, job: Job) -> LedgerId:
    if job.progress.ledger_contact_id is not None:
        return job.progress.ledger_contact_id
    supplier = (
        job.authorised.bill.supplier if job.kind is PublicationKind.BILL else job.bank_item.contact
    )
    contact_id = await ports.contacts.resolve(
        job.row.organisation_id,
        job.progress.ledger,
        supplier,
        f"cs-{job.row.publication_id}-contact",
    )
    await store(ports, job, None, replace(job.progress, ledger_contact_id=contact_id), None)
    return contact_id


# bills ---------------------------------------------------------------------------------------


async def find_bill(ports: StepPorts, job: Job) -> LedgerBill | None:
    """The bill an earlier, unanswered try created, if the ledger has it."""
    return await ports.ledger(job).find_bill(
        job.row.organisation_id,
        job.authorised.bill.document_reference,
        _contact_of(job),
        job.url(),
    )


async def bill_created(ports: StepPorts, job: Job, created: LedgerBill) -> None:
    bill = job.authorised.bill
    contact_id = _contact_of(job)
    status = created.status or BillStatus.AUTHORISED
    event = BillCreated(
        **job.common(),
        **job.named(ledger_bill_id=created.bill_id, ledger_contact_id=contact_id),
        xero_status=XeroInvoiceStatus(status),
        invoice_number=bill.document_reference,
        currency=bill.currency,
        total=bill.total if created.total is None else created.total,
    )

    async def first_bill_makes_a_supplier(conn: asyncpg.Connection) -> None:
        await ports.contacts.became_supplier(
            conn, job.row.organisation_id, contact_id, bill.supplier.name, job.cause
        )

    after = replace(job.progress, ledger_bill_id=created.bill_id, xero_status=str(status))
    await store(
        ports, job, PublicationStep.CREATE_BILL, after, event, also=first_bill_makes_a_supplier
    )


async def create_bills(
    ports: StepPorts, jobs: Sequence[Job], key: str
) -> dict[UUID, LedgerRefused]:
    """Creates the bills of ``jobs`` in one call; returns the jobs the ledger refused, by id.
    Raises (for all of them) when the call itself failed."""
    await mark_sent(ports, jobs, PublicationStep.CREATE_BILL)
    bills = [NewBill(j.authorised.bill, _contact_of(j), j.url()) for j in jobs]
    outcomes = await ports.ledger(jobs[0]).create_bills(jobs[0].row.organisation_id, bills, key)
    ports.crash(f"{PublicationStep.CREATE_BILL.value}:sent")
    refused: dict[UUID, LedgerRefused] = {}
    for job, outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, Refusal):
            refused[job.row.publication_id] = LedgerRefused(outcome.messages)
            continue
        await bill_created(ports, job, outcome)
    return refused


# bank transactions (expenses) ----------------------------------------------------------------


async def create_bank_transaction(ports: StepPorts, job: Job) -> None:
    item = job.bank_item
    org = job.row.organisation_id
    contact_id = await resolve_contact(ports, job)
    step = PublicationStep.CREATE_BANK_TRANSACTION
    expense: LedgerExpense | None = None
    if job.progress.was_sent(step):
        expense = await ports.ledger(job).find_expense(org, job.url())
    if expense is None:
        await mark_sent(ports, [job], step)
        expense = await ports.ledger(job).create_expense(
            org, item, contact_id, job.url(), job.key(step)
        )
        ports.crash(f"{step.value}:sent")
    event = BankTransactionCreated(
        **job.common(),
        **job.named(ledger_expense_id=expense.expense_id, ledger_contact_id=contact_id),
        xero_status=XeroBankTransactionStatus(expense.status),
        bank_account=item.bank_account,
        currency=item.currency,
        total=item.total if expense.total is None else expense.total,
    )
    after = replace(job.progress, ledger_expense_id=expense.expense_id, xero_status="AUTHORISED")
    await store(ports, job, step, after, event)
