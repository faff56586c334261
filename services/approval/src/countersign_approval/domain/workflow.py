"""The workflow document an administrator saves: "Bill creation, review and approval".

    review (optional) ─▶ auto-approval rules ─▶ step 1 ─▶ step 2 ─▶ … ─▶ authorised

    Workflow
    ├── review: reviewers who may change coding and submit      (optional, runs first)
    ├── auto_approval: [Rule]        any matching rule authorises at once
    ├── steps: [Step]                in order
    │     ├── completion: any | all
    │     ├── approvers: [MatrixEntry]   approver + OR-alternative rules (none = always)
    │     └── default_approver           when no entry of the step matches
    ├── decision_policy: each_step | once
    ├── requester_may_approve        false: segregation of duties (see below)
    └── default_approver             when neither entries nor the step's default apply

A Rule holds conditions that must all hold (AND); an approver's rules are alternatives (OR).
Every email names a user of the organisation; that check needs the user directory and is made
when the document is saved (see ``referenced_people``).

With ``requester_may_approve`` false, the user who requested a bill never approves it: a step
that would wait for them waits for the others it names; one left with nobody falls to its
default approver, then the workflow's, then the organisation's first other admin (then
approver). They cannot approve it as someone's substitute, force-approve it, or be handed a
place in its steps. Saving such a workflow needs two users who may approve.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from countersign_contracts import ONE_LINE, Amount, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AccountCondition",
    "Completion",
    "Condition",
    "DecisionPolicy",
    "Email",
    "Match",
    "MatrixEntry",
    "Reference",
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
    "referenced_people",
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


class Reference(StrEnum):
    """What a person named in the document must be allowed to do."""

    REVIEW = "review"
    APPROVE = "approve"


def referenced_people(workflow: Workflow) -> Iterator[tuple[str, str, Reference]]:
    """Every email the document names: (field path, email, what they must be able to do)."""
    if workflow.review is not None:
        for n, email in enumerate(workflow.review.reviewers):
            yield f"review.reviewers[{n}]", email, Reference.REVIEW
    for s, step in enumerate(workflow.steps):
        for n, entry in enumerate(step.approvers):
            yield f"steps[{s}].approvers[{n}].approver", entry.approver, Reference.APPROVE
        if step.default_approver is not None:
            yield f"steps[{s}].default_approver", step.default_approver, Reference.APPROVE
    yield "default_approver", workflow.default_approver, Reference.APPROVE
