"""The files attached to the ledger record: the original (fetched from ingest by a signed link)
and, on a bill, the approval audit report. An attachment sent before is looked up by its file
name on the record before it is sent again."""

from __future__ import annotations

from dataclasses import dataclass, replace

from countersign_contracts import (
    AttachmentAdded,
    AttachmentKind,
    DocumentMetadata,
    PublicationKind,
    PublicationStep,
)

from countersign_publisher.domain.audit_report import audit_report_name, render_audit_report
from countersign_publisher.handlers.job import Job
from countersign_publisher.handlers.recording import StepPorts, mark_sent, store
from countersign_publisher.ledger.values import (
    LedgerAttachment,
    LedgerRecord,
    RecordKind,
)

__all__ = ["attach_audit_report", "attach_original"]


@dataclass(frozen=True)
class _File:
    step: PublicationStep
    kind: AttachmentKind
    name: str
    media_type: str
    original: DocumentMetadata | None  # None: the audit report, rendered here


def _record(job: Job) -> LedgerRecord:
    """The ledger record the files go on."""
    bill = job.kind is PublicationKind.BILL
    record_id = job.progress.ledger_bill_id if bill else job.progress.ledger_expense_id
    assert record_id is not None, "files are attached once the record exists"
    return LedgerRecord(RecordKind.BILL if bill else RecordKind.EXPENSE, record_id)


async def attach_original(ports: StepPorts, job: Job) -> None:
    document = (
        job.authorised.bill.document if job.kind is PublicationKind.BILL else job.bank_item.document
    )
    await _attach(
        ports,
        job,
        _File(
            PublicationStep.ATTACH_ORIGINAL,
            AttachmentKind.ORIGINAL,
            ports.ledger(job).attachment_name(document.file_name),
            document.media_type,
            document,
        ),
    )


async def attach_audit_report(ports: StepPorts, job: Job) -> None:
    await _attach(
        ports,
        job,
        _File(
            PublicationStep.ATTACH_AUDIT_REPORT,
            AttachmentKind.AUDIT_REPORT,
            ports.ledger(job).attachment_name(audit_report_name(job.authorised)),
            "application/pdf",
            None,
        ),
    )


async def _attach(ports: StepPorts, job: Job, file: _File) -> None:
    record = _record(job)
    org = job.row.organisation_id
    attachment: LedgerAttachment | None = None
    if job.progress.was_sent(file.step):
        existing = await ports.ledger(job).attachments(org, record)
        attachment = next((a for a in existing if a.file_name == file.name), None)
    if attachment is None:
        content = (
            render_audit_report(job.authorised)
            if file.original is None
            else await ports.documents.fetch(file.original)
        )
        await mark_sent(ports, [job], file.step)
        attachment = await ports.ledger(job).attach(
            org, record, file.name, content, file.media_type, job.key(file.step)
        )
        ports.crash(f"{file.step.value}:sent")
    attachment_id = attachment.attachment_id
    on_bill = record.kind is RecordKind.BILL
    event = AttachmentAdded(
        **job.common(),
        **job.named(
            ledger_bill_id=record.record_id if on_bill else None,
            ledger_expense_id=None if on_bill else record.record_id,
            ledger_attachment_id=attachment_id,
        ),
        attachment_kind=file.kind,
        file_name=file.name,
        media_type=file.media_type,
        size_bytes=attachment.size_bytes,
    )
    after = (
        replace(job.progress, ledger_original_attachment_id=attachment_id)
        if file.kind is AttachmentKind.ORIGINAL
        else replace(job.progress, ledger_audit_attachment_id=attachment_id)
    )
    await store(ports, job, file.step, after, event)
