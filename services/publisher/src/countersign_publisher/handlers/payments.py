"""The payment made in Dext, recorded against the ledger's bill so it ends PAID. A payment sent
before is looked up on the bill before it is sent again."""

from __future__ import annotations

from dataclasses import replace

from countersign_contracts import PaymentRecorded, PublicationStep, XeroInvoiceStatus

from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.recording import StepPorts, mark_sent, store
from countersign_publisher.ledger.values import BillStatus, LedgerPayment

__all__ = ["record_payment"]


async def record_payment(ports: StepPorts, job: Job) -> None:
    bill = job.authorised.bill
    org = job.row.organisation_id
    invoice_id = job.progress.ledger_bill_id
    assert invoice_id is not None, "a payment is recorded once the bill exists"
    step = PublicationStep.RECORD_PAYMENT
    payment: LedgerPayment | None = None
    if job.progress.was_sent(step):
        payment = await ports.ledger(job).find_payment(org, invoice_id)
    if payment is None:
        await mark_sent(ports, [job], step)
        payment = await ports.ledger(job).record_payment(org, bill, invoice_id, job.key(step))
        ports.crash(f"{step.value}:sent")
    assert bill.payment.account is not None
    invoice_status = str(payment.bill_status or BillStatus.PAID)
    event = PaymentRecorded(
        **job.common(),
        **job.named(ledger_payment_id=payment.payment_id, ledger_bill_id=invoice_id),
        amount=bill.total if payment.amount is None else payment.amount,
        currency=bill.currency,
        bank_account=bill.payment.account,
        paid_on=bill.payment.paid_on or bill.issue_date,
        xero_invoice_status=XeroInvoiceStatus(invoice_status),
    )
    after = replace(job.progress, ledger_payment_id=payment.payment_id, xero_status=invoice_status)
    await store(ports, job, step, after, event)
