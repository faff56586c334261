"""What the API shows of a request."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from countersign_contracts import (
    Actor,
    AuditAction,
    AuditEntry,
    Bill,
    CodingIssue,
    Ledger,
    LineItem,
    PossibleDuplicate,
    RequestSource,
    WorkflowRef,
    XeroBillDuplicate,
)
from pydantic import BaseModel, Field

from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.people import Participant
from countersign_approval.domain.record import StepProgress
from countersign_approval.domain.request import ApprovalRequest

__all__ = ["RequestSummary", "RequestView", "request_summary", "request_view"]


class ApproverView(BaseModel):
    user_id: UUID
    email: str
    name: str
    approved: bool


class StepView(BaseModel):
    index: int = Field(description="position in the workflow (the review, if any, is 0)")
    name: str
    completion: str
    approvers: list[ApproverView]
    complete: bool
    due_at: datetime | None = Field(description="the step's deadline, when it has one")
    reminded_at: datetime | None = Field(
        default=None, description="when its approvers were reminded 24 hours before the deadline"
    )
    overdue_at: datetime | None = Field(description="when its approvers were reminded")
    escalates_at: datetime | None = Field(
        description="when it escalates if still undecided, when its workflow says so"
    )
    escalated_at: datetime | None = Field(description="when it was escalated")
    escalated_to: list[ApproverView] = Field(
        description="who it was escalated to: any one of them approving completes it"
    )


class Totals(BaseModel):
    currency: str
    subtotal: Decimal
    total_tax: Decimal
    total: Decimal
    exchange_rate: Decimal | None


class PublicationView(BaseModel):
    publication_id: UUID | None
    xero_invoice_id: UUID | None
    ledger_bill_id: str | None = Field(
        default=None, description="the bill's id in its ledger (`ledger`), once it is there"
    )
    messages: list[str]


class RejectionView(BaseModel):
    by: Actor
    reason: str | None
    at: datetime


class RequestSummary(BaseModel):
    request_id: UUID
    dext_item_id: str
    item_version: int
    state: str
    supplier: str
    document_reference: str
    totals: Totals
    current_step: StepView | None
    coding_valid: bool = Field(
        description="false: the organisation's Xero would refuse the coding as it stands (an"
        " account archived since it was submitted); see coding_issues on the request"
    )
    opened_at: datetime
    requester: Actor = Field(description="who published the item from Dext")
    awaiting: list[Actor] = Field(
        description="whose decision it waits for now (reviewers in review, else the step's)"
    )
    rejection: RejectionView | None = Field(
        description="when rejected: who rejected it and why (the latest rejection)"
    )
    source: RequestSource = Field(
        default=RequestSource.DEXT,
        description="where the bill started: dext, or xero (pulled from Xero in the via-Xero"
        " mode: its original is the bill in Xero, original_document_url; amounts read-only)",
    )
    ledger: Ledger | None = Field(
        default=None,
        description="the organisation's ledger the bill goes to or is in: xero, qbo (the"
        " publisher's once published); null when not known yet. People read it as"
        " `ledger_title` (contracts): Xero, QuickBooks Online",
    )
    possible_duplicates: list[PossibleDuplicate] = Field(
        default_factory=list,
        description="'Likely duplicate': other open or published requests of the organisation"
        " with the same supplier and invoice number, or the same supplier, issue date, total and"
        " currency, found at intake (a warning; request_id null when not opened yet)",
    )
    possible_duplicates_in_xero: list[XeroBillDuplicate] = Field(
        default_factory=list,
        description="'Likely duplicate': bills entered in the organisation's Xero directly that"
        " match by the same rules (invoice number, supplier, Xero InvoiceID), found at intake",
    )


class RequestView(RequestSummary):
    workflow: WorkflowRef | None
    original_document_url: str = Field(description="'Open original document': the item in Dext")
    lines: list[LineItem]
    bill: Bill = Field(description="the bill as it stands, reviewer edits included")
    reviewers: list[ApproverView]
    steps: list[StepView]
    auto_approved: bool
    supersedes_request_id: UUID | None
    publication: PublicationView
    coding_issues: list[CodingIssue] = Field(
        description="'Coding no longer valid': each field Xero would refuse and why; a reviewer"
        " or an administrator recodes it (PATCH …/lines/{n}) before it can be authorised"
    )
    audit_trail: list[AuditEntry]


def _step(request: ApprovalRequest, step: StepProgress) -> StepView:
    return StepView(
        index=request.step_ref(step).index,
        name=step.name,
        completion=step.completion.value,
        approvers=_approvers(step, step.approvers),
        complete=step.complete,
        due_at=step.due_at,
        reminded_at=step.reminded_at,
        overdue_at=step.overdue_at,
        escalates_at=step.escalates_at,
        escalated_at=step.escalated_at,
        escalated_to=_approvers(step, step.escalated_to),
    )


def _approvers(step: StepProgress, people: list[Participant]) -> list[ApproverView]:
    return [
        ApproverView(
            user_id=p.user_id, email=p.email, name=p.name, approved=p.user_id in step.approved_by
        )
        for p in people
    ]


_REJECTIONS = (AuditAction.REJECTED, AuditAction.FORCE_REJECTED)


def _rejection(request: ApprovalRequest) -> RejectionView | None:
    if request.state is not RequestState.REJECTED:
        return None
    last = next((e for e in reversed(request.trail) if e.action in _REJECTIONS), None)
    return None if last is None else RejectionView(by=last.actor, reason=last.comment, at=last.at)


def request_summary(request: ApprovalRequest) -> RequestSummary:
    bill = request.bill
    current = request.current_step
    return RequestSummary(
        request_id=request.request_id,
        dext_item_id=request.dext_item_id,
        item_version=request.item_version,
        state=request.state.value,
        supplier=bill.supplier.name,
        document_reference=bill.document_reference,
        totals=Totals(
            currency=bill.currency,
            subtotal=bill.subtotal,
            total_tax=bill.total_tax,
            total=bill.total,
            exchange_rate=bill.exchange_rate,
        ),
        current_step=None if current is None else _step(request, current),
        coding_valid=not request.coding_issues,
        opened_at=request.opened_at,
        requester=request.requester,
        awaiting=request.awaiting_actors(),
        rejection=_rejection(request),
        source=request.source,
        ledger=request.ledger,
        possible_duplicates=request.possible_duplicates,
        possible_duplicates_in_xero=request.possible_duplicates_in_xero,
    )


def request_view(request: ApprovalRequest) -> RequestView:
    return RequestView(
        **request_summary(request).model_dump(),
        workflow=request.workflow,
        original_document_url=request.bill.source_url,
        lines=list(request.bill.lines),
        bill=request.bill,
        reviewers=[
            ApproverView(user_id=p.user_id, email=p.email, name=p.name, approved=False)
            for p in request.reviewers
        ],
        steps=[_step(request, step) for step in request.steps],
        auto_approved=request.auto_approved,
        supersedes_request_id=request.supersedes_request_id,
        publication=PublicationView(
            publication_id=request.publication_id,
            xero_invoice_id=request.xero_invoice_id,
            ledger_bill_id=request.ledger_bill_id,
            messages=request.publication_messages,
        ),
        coding_issues=request.coding_issues,
        audit_trail=request.trail,
    )
