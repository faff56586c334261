"""The workflow document an administrator saves: "Bill creation, review and approval".

    review (optional) ─▶ auto-approval rules ─▶ step 1 ─▶ step 2 ─▶ … ─▶ authorised

    Workflow
    ├── review: reviewers who may change coding and submit      (optional, runs first)
    ├── auto_approval: [Rule]        any matching rule authorises at once
    ├── steps: [Step]                in order
    │     ├── completion: any | all
    │     ├── approvers: [MatrixEntry]   approver + OR-alternative rules (none = always)
    │     ├── default_approver           when no entry of the step matches
    │     └── deadline_hours, escalation  reminded at the deadline, escalated after_hours on
    ├── decision_policy: each_step | once
    ├── requester_may_approve        false: segregation of duties (see below)
    └── default_approver             when neither entries nor the step's default apply

A Rule holds conditions that must all hold (AND); an approver's rules are alternatives (OR).
Every email names a user of the organisation; that check needs the user directory and is made
when the document is saved (see ``staffing.referenced_people``).

With ``requester_may_approve`` false, the user who requested a bill never approves it: a step
that would wait for them waits for the others it names; one left with nobody falls to its
default approver, then the workflow's, then the organisation's first other admin (then
approver). They cannot approve it as someone's substitute, force-approve it, or be handed a
place in its steps. Saving such a workflow needs two users who may approve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from countersign_contracts import ONE_LINE, Amount, Text
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "ADMINS",
    "AccountCondition",
    "Completion",
    "Condition",
    "DecisionPolicy",
    "Email",
    "Escalation",
    "Match",
    "MatrixEntry",
    "RequesterCondition",
    "Review",
    "Rule",
    "SavedWorkflow",
    "Step",
    "SupplierCondition",
    "TaxTypeCondition",
    "TotalCondition",
    "TrackingCondition",
    "Workflow",
]


def _lower(value: str) -> str:
    return value.strip().lower()


Email = Annotated[
    str,
    Field(max_length=320, pattern=r"^\s*[^@\s]+@[^@\s]+\s*$", description="a user's email"),
    ONE_LINE,
    AfterValidator(_lower),
]
Name = Annotated[Text, Field(min_length=1, max_length=255)]
# Bounded, so a body of 100,000 values is refused at the 501st instead of validated to the end.
MAX_VALUES = 500
Values = Annotated[
    list[Annotated[Text, Field(min_length=1, max_length=255)]],
    Field(min_length=1, max_length=MAX_VALUES),
]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(StrEnum):
    MATCHES = "matches"
    DOES_NOT_MATCH = "does_not_match"


class TotalCondition(_Document):
    """The bill total, in the organisation's base currency (see ``matrix.base_amount``).

    ``<`` amount, ``>=`` amount, or ``between``: min <= total < max, so the three tile the
    amount line without gaps or overlaps."""

    field: Literal["total"]
    operator: Literal["<", ">=", "between"]
    amount: Amount | None = Field(default=None, description="for < and >=")
    min: Amount | None = Field(default=None, description="for between: inclusive")
    max: Amount | None = Field(default=None, description="for between: exclusive")

    @model_validator(mode="after")
    def _operands(self) -> TotalCondition:
        if self.operator == "between":
            if self.min is None or self.max is None or self.amount is not None:
                raise ValueError("'between' takes min and max (min inclusive, max exclusive)")
            if self.min >= self.max:
                raise ValueError("'between' needs min < max")
        elif self.amount is None or self.min is not None or self.max is not None:
            raise ValueError(f"'{self.operator}' takes amount only")
        return self


class SupplierCondition(_Document):
    """The supplier's name (case-insensitive) or its Xero ContactID."""

    field: Literal["supplier"]
    match: Match = Match.MATCHES
    values: Values


class RequesterCondition(_Document):
    """The email of the person who published the item from Dext."""

    field: Literal["requester"]
    match: Match = Match.MATCHES
    values: list[Email] = Field(min_length=1, max_length=MAX_VALUES)


class AccountCondition(_Document):
    """A line's account code."""

    field: Literal["account"]
    match: Match = Match.MATCHES
    values: Values


class TaxTypeCondition(_Document):
    """A line's Xero tax type."""

    field: Literal["tax_type"]
    match: Match = Match.MATCHES
    values: Values


class TrackingCondition(_Document):
    """A line's option in one tracking category (names compared case-insensitively)."""

    field: Literal["tracking"]
    category: Name
    match: Match = Match.MATCHES
    values: Values


Condition = Annotated[
    TotalCondition
    | SupplierCondition
    | RequesterCondition
    | AccountCondition
    | TaxTypeCondition
    | TrackingCondition,
    Field(discriminator="field"),
]
LINE_FIELDS = frozenset({"account", "tax_type", "tracking"})


class Rule(_Document):
    """Conditions that must all hold. Line conditions must hold on one and the same line."""

    conditions: list[Condition] = Field(min_length=1, max_length=20)


class MatrixEntry(_Document):
    """One approver of a step and when they take part: any of ``rules`` (OR); no rules means
    always."""

    approver: Email
    rules: list[Rule] = Field(default_factory=list, max_length=20)


class Completion(StrEnum):
    ANY = "any"
    ALL = "all"


ADMINS = "admins"  # an escalation to the organisation's admins at the time it escalates


class Escalation(_Document):
    """Who may decide a step once it is still undecided ``after_hours`` past its deadline."""

    to: Literal["admins"] | Email = Field(
        description="a user with the approver or admin role, or 'admins': the organisation's"
        " admins when the step escalates"
    )
    after_hours: int = Field(ge=0, le=2160, description="hours after the step's deadline")


class Step(_Document):
    name: Name
    completion: Completion = Completion.ANY
    approvers: list[MatrixEntry] = Field(min_length=1, max_length=50)
    default_approver: Email | None = Field(
        default=None, description="takes part when no entry of this step matches"
    )
    deadline_hours: int | None = Field(
        default=None,
        ge=1,
        le=2160,
        description="hours the step may wait for decisions; once they pass undecided, "
        "RequestStepOverdue reminds its approvers (once; the step keeps waiting)",
    )
    escalation: Escalation | None = Field(
        default=None,
        description="with deadline_hours: who may also decide the step, and any one of them"
        " complete it, once it is undecided after_hours past its deadline",
    )

    @field_validator("escalation")
    @classmethod
    def _escalates_after_a_deadline(
        cls, escalation: Escalation | None, info: ValidationInfo
    ) -> Escalation | None:
        if escalation is not None and info.data.get("deadline_hours") is None:
            raise PydanticCustomError(
                "deadline_required", "a step escalates after its deadline: set deadline_hours"
            )
        return escalation

    @model_validator(mode="after")
    def _distinct_approvers(self) -> Step:
        seen = [entry.approver for entry in self.approvers]
        if len(seen) != len(set(seen)):
            raise ValueError("an approver appears twice in the step; merge the rules instead")
        return self


class Review(_Document):
    reviewers: list[Email] = Field(min_length=1, max_length=50)


class DecisionPolicy(StrEnum):
    EACH_STEP = "each_step"
    ONCE = "once"


class Workflow(_Document):
    name: Name = "Bill creation, review and approval"
    review: Review | None = None
    auto_approval: list[Rule] = Field(default_factory=list, max_length=50)
    steps: list[Step] = Field(min_length=1, max_length=20)
    decision_policy: DecisionPolicy = DecisionPolicy.EACH_STEP
    requester_may_approve: bool = Field(
        default=True,
        description="false: the user who requested a bill never approves it (segregation of "
        "duties); their place in a step goes to the others it names, else to its default "
        "approver, the workflow's, or another admin",
    )
    default_approver: Email = Field(
        description="takes part in a step when neither its entries nor its default apply"
    )

    @model_validator(mode="after")
    def _distinct_step_names(self) -> Workflow:
        names = [step.name for step in self.steps]
        if len(names) != len(set(names)):
            raise ValueError("step names must be distinct")
        return self


@dataclass(frozen=True)
class SavedWorkflow:
    """One saved version of an organisation's workflow; a request keeps the one it started on."""

    organisation_id: UUID
    workflow_id: UUID
    version: int
    document: Workflow
    saved_by: UUID
    saved_at: datetime
