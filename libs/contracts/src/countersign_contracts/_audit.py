"""Who did what to an approval request, and what changed: the audit trail's pieces, shared by
approval's events on approval.requests.v1."""

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, model_validator

from countersign_contracts._base import ContractModel, unknown_as
from countersign_contracts._money import UtcDatetime

__all__ = [
    "Actor",
    "ActorKind",
    "AuditAction",
    "AuditEntry",
    "Comment",
    "FieldChange",
    "StepRef",
]

Comment = Annotated[str, Field(min_length=1, max_length=4000)]


class ActorKind(StrEnum):
    USER = "user"
    SYSTEM = "system"


class Actor(ContractModel):
    """Who did something: a Countersign user, or the system (auto-approval, supersession)."""

    kind: ActorKind
    user_id: UUID | None = Field(default=None, description="Approval's user id; null for system")
    name: str = Field(min_length=1, max_length=255, description="Display name at the time")
    email: str | None = Field(
        default=None,
        max_length=254,
        description="The person's e-mail address at the time, so they can be told (a user, or"
        " the requester Dext names); null for the system",
    )
    role: str | None = Field(
        default=None,
        max_length=50,
        description=(
            "Role the user acted in: requester, reviewer, approver, substitute (for an absent "
            "approver), escalation (on a step escalated to them, since 1.5) or admin"
        ),
    )

    @model_validator(mode="after")
    def _user_has_id(self) -> "Actor":
        if self.kind is ActorKind.USER and self.user_id is None:
            raise ValueError("a user actor needs a user_id")
        return self


class StepRef(ContractModel):
    """A step of a workflow."""

    index: int = Field(ge=0, description="0-based position of the step in the workflow")
    name: str = Field(min_length=1, max_length=255)


class AuditAction(StrEnum):
    """What happened, in the audit trail. An open enum: a reader of this package decodes an
    action it does not know yet as `other`."""

    SUBMITTED = "submitted"
    REVIEW_SUBMITTED = "review_submitted"
    EDITED = "edited"
    COMMENTED = "commented"
    AUTO_APPROVED = "auto_approved"
    APPROVED = "approved"
    REJECTED = "rejected"
    FORCE_APPROVED = "force_approved"
    FORCE_REJECTED = "force_rejected"
    REASSIGNED = "reassigned"
    APPROVERS_CHANGED = "approvers_changed"
    AUTHORISED = "authorised"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"
    EDITED_AFTER_APPROVAL = "edited_after_approval"  # an admin recoded a failed publication
    PUBLICATION_CANCELLED = "publication_cancelled"  # an admin gave up a failed publication
    CODING_FLAGGED = "coding_flagged"  # Xero's master data changed: it would refuse the coding
    CODING_CLEARED = "coding_cleared"  # the coding is one Xero takes again
    ESCALATED = "escalated"  # a step stayed undecided past its deadline and escalation delay
    CHANGED_IN_XERO = "changed_in_xero"  # the bill was changed in Xero after approval
    OTHER = "other"


class FieldChange(ContractModel):
    """One field of the bill changed by an edit."""

    field: str = Field(
        min_length=1,
        max_length=255,
        description="Path into the Bill, e.g. supplier.name or lines[0].account_code",
    )
    before: str | None = Field(
        description=(
            "Value before, as on the wire (amounts as decimal strings, dates YYYY-MM-DD, "
            "objects as JSON text); null when the field was absent"
        )
    )
    after: str | None = Field(description="Value after, in the same form; null when removed")


class AuditEntry(ContractModel):
    """One line of the audit trail, as the audit report shows it."""

    at: UtcDatetime
    actor: Actor
    on_behalf_of: Actor | None = Field(
        default=None, description="The approver a substitute or administrator acted for"
    )
    action: Annotated[AuditAction, unknown_as(AuditAction.OTHER)]
    step: StepRef | None = Field(default=None, description="The step, for step decisions")
    comment: Comment | None = None
    changes: list[FieldChange] = Field(
        default_factory=list, description="Field edits, for action 'edited'"
    )
