"""What approval publishes about approval requests: approval.requests.v1.

One request per cost item version:

    RequestOpened ─▶ RequestStepDecided* ─▶ RequestAuthorised ─▶ RequestPublicationUpdated*
         (RequestStepDeadlineApproaching: a step's deadline is 24 h away)
         (RequestStepOverdue: a step's deadline passed) ├▶ RequestRejected
         (RequestStepEscalated: and its escalation delay)
         (RequestApproverReassigned: an admin handed an approver's place on)
                                         ├▶ RequestSuperseded   (a newer item version arrived)
                                         └▶ RequestCancelled    (withdrawn in Dext, or by an admin)
"""

from enum import StrEnum
from uuid import UUID

from pydantic import Field

from countersign_contracts._audit import (
    Actor,
    AuditEntry,
    Comment,
    StepRef,
)
from countersign_contracts._base import ContractModel, EventPayload
from countersign_contracts._bills import Bill
from countersign_contracts._dext import DextItemId, PossibleDuplicate, XeroBillDuplicate
from countersign_contracts._ledger_names import LedgerId, LedgerName, ledger_field, ledger_id_field
from countersign_contracts._money import UtcDatetime
from countersign_contracts._xero_bills import RequestSource


class WorkflowRef(ContractModel):
    """The version of the organisation's workflow a request runs."""

    workflow_id: UUID
    version: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=255)


class StepDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    REVIEW_SUBMITTED = "review_submitted"


class PublicationStatus(StrEnum):
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PUBLISH_FAILED = "publish_failed"
    PUBLICATION_CANCELLED = "publication_cancelled"  # given up before Xero (since 1.4)


class _RequestEvent(ContractModel):
    request_id: UUID = Field(description="The approval request (also the envelope subject_id)")
    dext_item_id: DextItemId
    item_version: int = Field(ge=1, description="The cost item version the request is about")
    source: RequestSource = Field(
        default=RequestSource.DEXT,
        description="Where the bill started; for `xero`, dext_item_id is `xero:<InvoiceID>` and"
        " item_version counts the bill's pulled states (since 1.10)",
    )
    xero_invoice_id: UUID | None = Field(
        default=None,
        description="The bill in Xero: pulled (source xero), or once published (on every event"
        " since 1.10)",
    )
    ledger: LedgerName = ledger_field("1.11")
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", "1.11")


class RequestOpened(_RequestEvent, EventPayload):
    """A cost item version entered the approval workflow."""

    workflow: WorkflowRef
    bill: Bill = Field(description="The bill as submitted")
    current_step: StepRef | None = Field(
        default=None, description="The first step awaiting decisions; null if none yet"
    )
    awaiting: list[Actor] = Field(
        default_factory=list,
        description="Whose turn: the approvers who may decide on current_step (since 1.1)",
    )
    supersedes_request_id: UUID | None = Field(
        default=None, description="The request for an earlier version that this one replaces"
    )
    opened_at: UtcDatetime
    possible_duplicates: list[PossibleDuplicate] = Field(
        default_factory=list,
        description="Other open or published requests of the organisation this one likely"
        " duplicates, each with the rule that matched: a warning for the approvers (since 1.7)",
    )
    possible_duplicates_in_xero: list[XeroBillDuplicate] = Field(
        default_factory=list, description="Bills entered in Xero it likely duplicates (since 1.9)"
    )


class RequestStepDecided(_RequestEvent, EventPayload):
    """A participant decided on a step (one approver of several, or the whole step)."""

    workflow: WorkflowRef
    step: StepRef
    decision: StepDecision
    decided_by: Actor
    on_behalf_of: Actor | None = Field(
        default=None, description="The approver a substitute or administrator acted for"
    )
    forced: bool = Field(default=False, description="An administrator forced the decision")
    comment: Comment | None = None
    step_completed: bool = Field(
        description="The step's completion rule (any or all approvers) is now met"
    )
    next_step: StepRef | None = Field(
        default=None, description="The step now awaiting decisions; null when none remains"
    )
    awaiting: list[Actor] = Field(
        default_factory=list,
        description=(
            "Whose turn now: the approvers still to decide, on this step when it is not "
            "completed, otherwise on next_step (since 1.1)"
        ),
    )
    decided_at: UtcDatetime


class RequestStepOverdue(_RequestEvent, EventPayload):
    """A step with a deadline is still undecided when the deadline passes: remind (or escalate
    to) the approvers it awaits. Once per step; the step keeps waiting (since 1.2)."""

    workflow: WorkflowRef
    step: StepRef
    awaiting: list[Actor] = Field(description="The approvers still to decide on the step")
    entered_at: UtcDatetime = Field(description="When the step started awaiting decisions")
    due_at: UtcDatetime = Field(description="The step's deadline, now passed")


class RequestStepDeadlineApproaching(_RequestEvent, EventPayload):
    """A step's deadline is 24 (workflow) hours away and the step is still undecided: remind
    the approvers it awaits. Once per step, only for a deadline more than 24 hours after the
    step started (since 1.6)."""

    workflow: WorkflowRef
    step: StepRef
    awaiting: list[Actor] = Field(description="The approvers still to decide on the step")
    entered_at: UtcDatetime = Field(description="When the step started awaiting decisions")
    due_at: UtcDatetime = Field(description="The step's deadline, still ahead")


class RequestApproverReassigned(_RequestEvent, EventPayload):
    """An administrator handed one approver's place in the current step to another person:
    the new approver may now decide, the one replaced no longer (since 1.6)."""

    workflow: WorkflowRef
    step: StepRef
    reassigned_by: Actor
    replaced: Actor = Field(description="Whose place was handed over")
    replacement: Actor = Field(description="Who holds it now, with the e-mail to tell them at")
    comment: Comment | None = None
    awaiting: list[Actor] = Field(description="Who the step awaits now")
    reassigned_at: UtcDatetime


class RequestStepEscalated(_RequestEvent, EventPayload):
    """A step is still undecided when its escalation delay after the deadline passes: the
    workflow's escalation target may now decide it too, and one target's approval completes it.
    Once per step; the step's approvers may still decide (since 1.5)."""

    workflow: WorkflowRef
    step: StepRef
    escalated_to: list[Actor] = Field(
        description="Who the step was escalated to (role `escalation`): the user the workflow"
        " names or the organisation's admins, the requester left out when the workflow keeps"
        " them from approving their own bill; empty when nobody else may approve"
    )
    awaiting: list[Actor] = Field(
        description="Whose turn now: the step's approvers still to decide and the targets"
    )
    due_at: UtcDatetime = Field(description="The step's deadline")
    escalated_at: UtcDatetime


class RequestAuthorised(_RequestEvent, EventPayload):
    """Every step approved (or an auto-approval rule matched): the bill may go to the ledger.
    Carries everything the publisher needs, so it never calls back."""

    workflow: WorkflowRef
    bill: Bill = Field(description="The approved bill, including any reviewer edits")
    audit_trail: list[AuditEntry] = Field(min_length=1, description="Oldest first")
    auto_approved: bool
    authorised_at: UtcDatetime
    possible_duplicates: list[PossibleDuplicate] = Field(
        default_factory=list,
        description="As on RequestOpened: the likely duplicates the approvers were shown"
        " (since 1.7)",
    )
    possible_duplicates_in_xero: list[XeroBillDuplicate] = Field(
        default_factory=list, description="As on RequestOpened (since 1.9)"
    )


class RequestRejected(_RequestEvent, EventPayload):
    """A step rejected the request: the item never reaches the ledger. The requester can amend
    and republish it from Dext, which opens a new request."""

    workflow: WorkflowRef
    rejected_by: Actor
    reason: Comment
    step: StepRef | None = Field(
        default=None, description="The rejecting step; null for an administrator's force-reject"
    )
    forced: bool = False
    rejected_at: UtcDatetime


class RequestSuperseded(_RequestEvent, EventPayload):
    """A newer version of the item replaced this request before it was authorised."""

    superseded_by_request_id: UUID
    superseded_by_item_version: int = Field(ge=1)
    superseded_at: UtcDatetime


class RequestCancelled(_RequestEvent, EventPayload):
    """The request was stopped before authorisation: the item was withdrawn (deleted) in
    Dext."""

    cancelled_by: Actor
    reason: Comment | None = None
    cancelled_at: UtcDatetime


class RequestPublicationUpdated(_RequestEvent, EventPayload):
    """Approval mirrors the publisher's outcome onto the authorised request."""

    publication_id: UUID
    status: PublicationStatus
    messages: list[str] = Field(
        default_factory=list, description="Xero's validation messages, for publish_failed"
    )
    updated_at: UtcDatetime


class PublicationRetryRequested(_RequestEvent, EventPayload):
    """An administrator asks the publisher to try an authorised request's failed publication
    again, after fixing its cause (an archived account, a locked period…)."""

    publication_id: UUID = Field(description="The failed publication to retry")
    requested_by: Actor
    comment: Comment | None = None
    requested_at: UtcDatetime
    bill: Bill | None = Field(
        default=None,
        description="The bill to publish when an administrator recoded it after approval"
        " (accounts, tax types, tracking); absent: the authorised bill as it was (since 1.4)",
    )
    audit_trail: list[AuditEntry] | None = Field(
        default=None,
        description="With `bill`: the whole trail, its `edited_after_approval` entries included,"
        " for the audit report (since 1.4)",
    )


class PublicationCancelRequested(_RequestEvent, EventPayload):
    """An administrator asks the publisher to give up a failed publication whose bill is not in
    Xero. The publisher decides: `PublicationCancelled` on ledger.publications.v1 when it had
    stopped, nothing when it had meanwhile created the bill (since 1.4)."""

    publication_id: UUID
    requested_by: Actor
    reason: Comment
    requested_at: UtcDatetime
