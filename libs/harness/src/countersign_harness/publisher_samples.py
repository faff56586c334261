"""Realistic publisher inputs for unit, integration and benchmark code."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from countersign_contracts import (
    Actor,
    ActorKind,
    AuditAction,
    AuditEntry,
    BankAccount,
    BankTransactionSubmitted,
    Bill,
    DocumentMetadata,
    DocumentType,
    FieldChange,
    LineAmountType,
    LineItem,
    Payment,
    RequestAuthorised,
    Requester,
    StepRef,
    Supplier,
    TrackingSelection,
    WorkflowRef,
)

__all__ = ["authorised_request", "bank_item", "document_bytes", "priya", "sample_bill"]


def document_bytes(reference: str) -> bytes:
    return f"%PDF-1.4 original of {reference}\n%%EOF\n".encode()


def _document(reference: str) -> DocumentMetadata:
    content = document_bytes(reference)
    return DocumentMetadata(
        document_id=uuid.uuid5(uuid.NAMESPACE_URL, reference),
        file_name=f"{reference}.pdf",
        media_type="application/pdf",
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def sample_bill(
    reference: str = "INV-1001",
    *,
    supplier: str = "Acme Office Supplies Ltd",
    account_code: str = "429",
    tax_type: str = "INPUT2",
    currency: str = "GBP",
    paid_from: str | None = None,
    issue_date: date = date(2026, 11, 2),
) -> Bill:
    return Bill(
        document_type=DocumentType.INVOICE,
        supplier=Supplier(name=supplier),
        document_reference=reference,
        issue_date=issue_date,
        due_date=date(2026, 12, 2),
        currency=currency,
        line_amount_type=LineAmountType.EXCLUSIVE,
        lines=[
            LineItem(
                description="Printer paper, A4, 5 boxes",
                quantity=Decimal("5"),
                unit_amount=Decimal("21.10"),
                account_code=account_code,
                tax_type=tax_type,
                tax_amount=Decimal("21.10"),
                line_amount=Decimal("105.50"),
                tracking=[TrackingSelection(category="Region", option="North")],
            )
        ],
        subtotal=Decimal("105.50"),
        total_tax=Decimal("21.10"),
        total=Decimal("126.60"),
        payment=Payment(
            paid=paid_from is not None,
            account=None if paid_from is None else BankAccount(code=paid_from),
            paid_on=None if paid_from is None else date(2026, 11, 5),
        ),
        requester=Requester(user_id="dext-user-7", name="Dana Reyes", email="dana@example.com"),
        source_url=f"https://dext.example/items/{reference}",
        document=_document(reference),
    )


def priya() -> Actor:
    return Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name="Priya Natarajan", role="approver")


def authorised_request(bill: Bill, request_id: UUID | None = None) -> RequestAuthorised:
    at = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    reviewer = Actor(kind=ActorKind.USER, user_id=uuid.uuid4(), name="Ravi Mehta", role="reviewer")
    admin = Actor(
        kind=ActorKind.USER, user_id=uuid.uuid4(), name="Olu Adebayo", role="administrator"
    )
    return RequestAuthorised(
        request_id=request_id or uuid.uuid4(),
        dext_item_id=f"dext-{bill.document_reference}",
        item_version=1,
        workflow=WorkflowRef(workflow_id=uuid.uuid4(), version=3, name="Bills over 100 GBP"),
        bill=bill,
        audit_trail=[
            AuditEntry(
                at=at,
                actor=Actor(kind=ActorKind.SYSTEM, name="Countersign"),
                action=AuditAction.SUBMITTED,
            ),
            AuditEntry(
                at=at,
                actor=reviewer,
                action=AuditAction.EDITED,
                step=StepRef(index=0, name="Review"),
                changes=[FieldChange(field="lines[0].account_code", before="400", after="429")],
            ),
            AuditEntry(
                at=at,
                actor=reviewer,
                action=AuditAction.REVIEW_SUBMITTED,
                step=StepRef(index=0, name="Review"),
                comment="Coded to expenses",
            ),
            AuditEntry(
                at=at,
                actor=priya(),
                action=AuditAction.APPROVED,
                step=StepRef(index=1, name="Finance approval"),
                comment="Fine by me",
            ),
            AuditEntry(
                at=at,
                actor=admin,
                action=AuditAction.FORCE_APPROVED,
                step=StepRef(index=2, name="Director approval"),
                comment="Director away; forced",
            ),
            AuditEntry(
                at=at,
                actor=Actor(kind=ActorKind.SYSTEM, name="Countersign"),
                action=AuditAction.AUTHORISED,
            ),
        ],
        auto_approved=False,
        authorised_at=at,
    )


def bank_item(reference: str, bank_code: str = "090") -> BankTransactionSubmitted:
    bill = sample_bill(reference)
    return BankTransactionSubmitted(
        dext_item_id=f"dext-bank-{reference}",
        version=1,
        document_type=DocumentType.RECEIPT,
        contact=bill.supplier,
        bank_account=BankAccount(code=bank_code),
        transaction_date=bill.issue_date,
        reference=reference,
        currency=bill.currency,
        line_amount_type=bill.line_amount_type,
        lines=bill.lines,
        subtotal=bill.subtotal,
        total_tax=bill.total_tax,
        total=bill.total,
        requester=bill.requester,
        source_url=bill.source_url,
        document=bill.document,
        submitted_at=datetime(2026, 11, 3, tzinfo=UTC),
    )
