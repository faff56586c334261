"""The steps of a publication, each ending in one transaction that stores Xero's ids and emits
the step's event. Before a step that was sent before (a crash, a lost answer) is sent again,
Xero is asked whether it already happened — so nothing is created twice, even after Xero's
idempotency memory has expired.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
from countersign_contracts import (
    AttachmentAdded,
    AttachmentKind,
    BankTransactionCreated,
    BillCreated,
    EventPayload,
    PaymentRecorded,
    PublicationCompleted,
    PublicationKind,
    PublicationStep,
    XeroBankTransactionStatus,
    XeroInvoiceStatus,
)

from countersign_publisher.adapters.documents import OriginalDocuments
from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_errors import XeroValidationError
from countersign_publisher.adapters.xero_mapping import (
    Json,
    element_failed,
    where_text,
    xero_bank_transaction,
    xero_bill,
    xero_file_name,
    xero_payment,
)
from countersign_publisher.db.contacts import Contacts
from countersign_publisher.db.publications import Publications
from countersign_publisher.domain.audit_report import audit_report_name, render_audit_report
from countersign_publisher.domain.publication import PublicationState
from countersign_publisher.handlers.contacts import ContactDirectory
from countersign_publisher.handlers.events import emit_publication_event, emit_supplier
from countersign_publisher.handlers.job import Job

__all__ = ["CrashHook", "Job", "PublicationSteps"]

CrashHook = Callable[[str], None]
"""Called at ``<step>:sent`` (Xero answered, nothing stored yet) and ``<step>:stored``; tests
raise from it to stand in for a process dying at that point."""


class PublicationSteps:
    def __init__(
        self,
        pool: asyncpg.Pool,
        xero: XeroClient,
        contacts: ContactDirectory,
        documents: OriginalDocuments,
        crash: CrashHook | None = None,
    ) -> None:
        self._pool = pool
        self._xero = xero
        self._contacts = contacts
        self._documents = documents
        self._crash = crash or (lambda point: None)

    async def _store(
        self, job: Job, step: PublicationStep | str, event: EventPayload | None, **progress: Any
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await Publications(conn).record_step(job.row.publication_id, str(step), **progress)
            if event is not None:
                await self.emit(conn, job, event)
        job.progress.update(progress)
        job.sent.discard(str(step))
        self._crash(f"{step}:stored")

    async def emit(self, conn: asyncpg.Connection, job: Job, event: EventPayload) -> None:
        await emit_publication_event(
            conn,
            event,
            organisation_id=job.row.organisation_id,
            correlation_id=job.row.correlation_id,
            causation_id=job.row.causation_id,
        )

    async def _mark_sent(self, jobs: Sequence[Job], step: PublicationStep) -> None:
        async with self._pool.acquire() as conn:
            await Publications(conn).mark_sent([j.row.publication_id for j in jobs], step.value)
        for job in jobs:
            job.sent.add(step.value)

    # contact -----------------------------------------------------------------------------

    async def resolve_contact(self, job: Job) -> UUID:
        if job.progress["xero_contact_id"] is not None:
            return UUID(str(job.progress["xero_contact_id"]))
        supplier = (
            job.authorised.bill.supplier
            if job.kind is PublicationKind.BILL
            else job.bank_item.contact
        )
        contact_id = await self._contacts.resolve(
            job.row.organisation_id, supplier, f"cs-{job.row.publication_id}-contact"
        )
        await self._store(job, "contact", None, xero_contact_id=contact_id)
        return contact_id

    # bills ---------------------------------------------------------------------------------

    async def find_bill(self, job: Job) -> Json | None:
        bill = job.authorised.bill
        contact_id = UUID(str(job.progress["xero_contact_id"]))
        for found in await self._xero.bills_numbered(
            job.row.organisation_id, bill.document_reference, contact_id
        ):
            if found.get("Url") == job.url() and found.get("Status") not in ("DELETED", "VOIDED"):
                return found
        return None

    async def bill_created(self, job: Job, invoice: Json) -> None:
        bill = job.authorised.bill
        invoice_id = UUID(str(invoice["InvoiceID"]))
        contact_id = UUID(str(job.progress["xero_contact_id"]))
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
        async with self._pool.acquire() as conn, conn.transaction():
            step = PublicationStep.CREATE_BILL.value
            await Publications(conn).record_step(
                job.row.publication_id, step, xero_invoice_id=invoice_id, xero_status=status
            )
            await self.emit(conn, job, event)
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
                await emit_supplier(
                    conn,
                    details,
                    organisation_id=job.row.organisation_id,
                    correlation_id=job.row.correlation_id,
                    causation_id=job.row.causation_id,
                )
        job.progress.update(xero_invoice_id=invoice_id, xero_status=status)
        job.sent.discard(PublicationStep.CREATE_BILL.value)
        self._crash(f"{PublicationStep.CREATE_BILL.value}:stored")

    async def create_bills(self, jobs: Sequence[Job], key: str) -> dict[UUID, XeroValidationError]:
        """Creates the bills of ``jobs`` in one call; returns the jobs Xero refused, by id.
        Raises (for all of them) when the call itself failed."""
        await self._mark_sent(jobs, PublicationStep.CREATE_BILL)
        contact_ids = [UUID(str(j.progress["xero_contact_id"])) for j in jobs]
        payloads = [
            xero_bill(j.authorised.bill, contact, j.url())
            for j, contact in zip(jobs, contact_ids, strict=True)
        ]
        elements = await self._xero.create_bills(jobs[0].row.organisation_id, payloads, key)
        self._crash(f"{PublicationStep.CREATE_BILL.value}:sent")
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
            await self.bill_created(job, element)
        return refused

    # attachments --------------------------------------------------------------------------

    async def attach(self, job: Job, step: PublicationStep) -> None:
        record, record_id = (
            ("Invoices", job.progress["xero_invoice_id"])
            if job.kind is PublicationKind.BILL
            else ("BankTransactions", job.progress["xero_bank_transaction_id"])
        )
        org = job.row.organisation_id
        if step is PublicationStep.ATTACH_ORIGINAL:
            document = (
                job.authorised.bill.document
                if job.kind is PublicationKind.BILL
                else job.bank_item.document
            )
            name, media_type, kind = (
                xero_file_name(document.file_name),
                document.media_type,
                AttachmentKind.ORIGINAL,
            )
        else:
            name = xero_file_name(audit_report_name(job.authorised))
            media_type, kind = "application/pdf", AttachmentKind.AUDIT_REPORT
        attachment: Json | None = None
        if step.value in job.sent:
            existing = await self._xero.attachments(org, record, record_id)
            attachment = next((a for a in existing if a.get("FileName") == name), None)
        if attachment is None:
            content = (
                await self._documents.fetch(document)
                if kind is AttachmentKind.ORIGINAL
                else render_audit_report(job.authorised)
            )
            await self._mark_sent([job], step)
            attachment = await self._xero.attach(
                org, record, record_id, name, content, media_type, job.key(step)
            )
            self._crash(f"{step.value}:sent")
        attachment_id = UUID(str(attachment["AttachmentID"]))
        event = AttachmentAdded(
            **job.common(),
            xero_invoice_id=record_id if job.kind is PublicationKind.BILL else None,
            xero_bank_transaction_id=record_id if job.kind is not PublicationKind.BILL else None,
            xero_attachment_id=attachment_id,
            attachment_kind=kind,
            file_name=name,
            media_type=media_type,
            size_bytes=int(attachment.get("ContentLength") or 0),
        )
        column = (
            "original_attachment_id" if kind is AttachmentKind.ORIGINAL else "audit_attachment_id"
        )
        await self._store(job, step, event, **{column: attachment_id})

    # payment -----------------------------------------------------------------------------

    async def record_payment(self, job: Job) -> None:
        bill = job.authorised.bill
        org = job.row.organisation_id
        invoice_id = UUID(str(job.progress["xero_invoice_id"]))
        step = PublicationStep.RECORD_PAYMENT
        payment: Json | None = None
        if step.value in job.sent:
            invoice = await self._xero.bill(org, invoice_id)
            payment = next(
                (p for p in invoice.get("Payments") or () if p.get("Status") != "DELETED"), None
            )
        if payment is None:
            await self._mark_sent([job], step)
            payment = await self._xero.create_payment(
                org, xero_payment(bill, invoice_id), job.key(step)
            )
            self._crash(f"{step.value}:sent")
        assert bill.payment.account is not None
        invoice_status = str((payment.get("Invoice") or {}).get("Status") or "PAID")
        event = PaymentRecorded(
            **job.common(),
            xero_payment_id=UUID(str(payment["PaymentID"])),
            xero_invoice_id=invoice_id,
            amount=Decimal(payment.get("Amount", bill.total)),
            currency=bill.currency,
            bank_account=bill.payment.account,
            paid_on=bill.payment.paid_on or bill.issue_date,
            xero_invoice_status=XeroInvoiceStatus(invoice_status),
        )
        await self._store(
            job, step, event, xero_payment_id=event.xero_payment_id, xero_status=invoice_status
        )

    # bank transactions --------------------------------------------------------------------

    async def create_bank_transaction(self, job: Job) -> None:
        item = job.bank_item
        org = job.row.organisation_id
        contact_id = await self.resolve_contact(job)
        step = PublicationStep.CREATE_BANK_TRANSACTION
        transaction: Json | None = None
        if step.value in job.sent:
            found = await self._xero.bank_transactions_where(org, f"Url=={where_text(job.url())}")
            transaction = next((t for t in found if t.get("Status") == "AUTHORISED"), None)
        if transaction is None:
            await self._mark_sent([job], step)
            transaction = await self._xero.create_bank_transaction(
                org, xero_bank_transaction(item, contact_id, job.url()), job.key(step)
            )
            self._crash(f"{step.value}:sent")
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
        await self._store(
            job, step, event, xero_bank_transaction_id=transaction_id, xero_status="AUTHORISED"
        )

    # completion ----------------------------------------------------------------------------

    async def complete(self, job: Job) -> None:
        bill_kind = job.kind is PublicationKind.BILL
        event = PublicationCompleted(
            **job.common(),
            xero_invoice_id=job.progress["xero_invoice_id"] if bill_kind else None,
            xero_bank_transaction_id=None
            if bill_kind
            else job.progress["xero_bank_transaction_id"],
            xero_status=str(job.progress["xero_status"] or "AUTHORISED"),
        )
        async with self._pool.acquire() as conn, conn.transaction():
            await Publications(conn).finish(job.row.publication_id, PublicationState.COMPLETED)
            await self.emit(conn, job, event)
