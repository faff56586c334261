"""The Xero record a publication creates, after the contact it goes to: a bill (created in
batches of up to 50, each element with its own outcome) or a SPEND bank transaction.

    resolve_contact ─▶ was create_bill sent before? ─▶ find_bill (InvoiceNumbers + ContactIDs,
                                                       our marker in Url) ─▶ bill_created
                    └▶ create_bills (one call per batch) ─▶ bill_created, per element
    resolve_contact ─▶ create_bank_transaction (a SPEND sent before is found by its Url)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
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

from countersign_publisher.adapters.xero_errors import XeroValidationError
from countersign_publisher.adapters.xero_mapping import (
    Json,
    element_failed,
    where_text,
    xero_bank_transaction,
    xero_bill,
)
from countersign_publisher.db.contacts import Contacts
from countersign_publisher.handlers.events import emit_supplier
from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.recording import StepPorts, mark_sent, store

__all__ = [
    "bill_created",
    "create_bank_transaction",
    "create_bills",
    "find_bill",
    "resolve_contact",
]


def _contact_of(job: Job) -> UUID:
    contact_id = job.progress.xero_contact_id
    assert contact_id is not None, "the contact is resolved before the record is created"
    return contact_id


async def resolve_contact(ports: StepPorts, job: Job) -> UUID:
    if job.progress.xero_contact_id is not None:
        return job.progress.xero_contact_id
    supplier = (
        job.authorised.bill.supplier if job.kind is PublicationKind.BILL else job.bank_item.contact
    )
    contact_id = await ports.contacts.resolve(
        job.row.organisation_id, supplier, f"cs-{job.row.publication_id}-contact"
    )
    await store(ports, job, None, replace(job.progress, xero_contact_id=contact_id), None)
    return contact_id


# bills ---------------------------------------------------------------------------------------


async def find_bill(ports: StepPorts, job: Job) -> Json | None:
    """The bill an earlier, unanswered try created, if Xero has it."""
    bill = job.authorised.bill
    for found in await ports.xero.bills_numbered(
        job.row.organisation_id, bill.document_reference, _contact_of(job)
    ):
        if found.get("Url") == job.url() and found.get("Status") not in ("DELETED", "VOIDED"):
            return found
    return None


async def bill_created(ports: StepPorts, job: Job, invoice: Json) -> None:
    bill = job.authorised.bill
    invoice_id = UUID(str(invoice["InvoiceID"]))
    contact_id = _contact_of(job)
    status = str(invoice.get("Status") or "AUTHORISED")
    event = BillCreated(
        **job.common(),
        xero_invoice_id=invoice_id,
        xero_status=XeroInvoiceStatus(status),
        xero_contact_id=contact_id,
        invoice_number=bill.document_reference,
        currency=bill.currency,
        total=Decimal(invoice.get("Total", bill.total)),
    )

    async def first_bill_makes_a_supplier(conn: asyncpg.Connection) -> None:
        contacts = Contacts(conn)
        details = await contacts.details(job.row.organisation_id, contact_id)
        if details and await contacts.upsert(
            job.row.organisation_id,
            contact_id,
            str(details.get("Name") or bill.supplier.name),
            str(details.get("ContactStatus") or "ACTIVE"),
            details,
            None,
            is_supplier=True,
        ):
            # First bill of this contact: it is a supplier from now on.
            await emit_supplier(conn, details, job.cause)

    after = replace(job.progress, xero_invoice_id=invoice_id, xero_status=status)
    await store(
        ports, job, PublicationStep.CREATE_BILL, after, event, also=first_bill_makes_a_supplier
    )


async def create_bills(
    ports: StepPorts, jobs: Sequence[Job], key: str
) -> dict[UUID, XeroValidationError]:
    """Creates the bills of ``jobs`` in one call; returns the jobs Xero refused, by id.
    Raises (for all of them) when the call itself failed."""
    await mark_sent(ports, jobs, PublicationStep.CREATE_BILL)
    payloads = [xero_bill(j.authorised.bill, _contact_of(j), j.url()) for j in jobs]
    elements = await ports.xero.create_bills(jobs[0].row.organisation_id, payloads, key)
    ports.crash(f"{PublicationStep.CREATE_BILL.value}:sent")
    refused: dict[UUID, XeroValidationError] = {}
    by_url = {str(e.get("Url")): e for e in elements if e.get("Url")}
    for index, job in enumerate(jobs):
        element = by_url.get(job.url()) or (elements[index] if index < len(elements) else {})
        messages = element_failed(element)
        if messages is not None or not element.get("InvoiceID"):
            refused[job.row.publication_id] = XeroValidationError(
                messages or ["Xero returned no bill"]
            )
            continue
        await bill_created(ports, job, element)
    return refused


# bank transactions ---------------------------------------------------------------------------


async def create_bank_transaction(ports: StepPorts, job: Job) -> None:
    item = job.bank_item
    org = job.row.organisation_id
    contact_id = await resolve_contact(ports, job)
    step = PublicationStep.CREATE_BANK_TRANSACTION
    transaction: Json | None = None
    if job.progress.was_sent(step):
        found = await ports.xero.bank_transactions_where(org, f"Url=={where_text(job.url())}")
        transaction = next((t for t in found if t.get("Status") == "AUTHORISED"), None)
    if transaction is None:
        await mark_sent(ports, [job], step)
        transaction = await ports.xero.create_bank_transaction(
            org, xero_bank_transaction(item, contact_id, job.url()), job.key(step)
        )
        ports.crash(f"{step.value}:sent")
    messages = element_failed(transaction)
    if messages is not None:
        raise XeroValidationError(messages)
    transaction_id = UUID(str(transaction["BankTransactionID"]))
    event = BankTransactionCreated(
        **job.common(),
        xero_bank_transaction_id=transaction_id,
        xero_status=XeroBankTransactionStatus(str(transaction.get("Status") or "AUTHORISED")),
        xero_contact_id=contact_id,
        bank_account=item.bank_account,
        currency=item.currency,
        total=Decimal(transaction.get("Total", item.total)),
    )
    after = replace(job.progress, xero_bank_transaction_id=transaction_id, xero_status="AUTHORISED")
    await store(ports, job, step, after, event)
