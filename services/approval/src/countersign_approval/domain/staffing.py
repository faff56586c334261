"""Who an organisation needs, and for what: the rules that bind its people to its workflow.

- Everyone a workflow names holds the role it asks of them (approver or admin to approve,
  reviewer or admin to review).
- A workflow that keeps requesters from approving their own bills needs two people who may
  approve, so there is always someone else to approve a requester's bill.
- Nobody is removed, or loses a role, while work still depends on it: the only admin, a place
  in the current workflow or in a version pending requests run on, a decision pending requests
  await, standing in for someone away, one of those two people, owning the bills pulled from
  Xero (removal only).

The handlers read what these rules look at inside the transaction that holds the
organisation's workflow lock, so the answer cannot change before they act on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from countersign_platform.refusals import FieldError

from countersign_approval.domain.people import Directory, Person, Role
from countersign_approval.domain.refusals import UserInUse, WorkflowRefused
from countersign_approval.domain.workflow import ADMINS, SavedWorkflow, Workflow

__all__ = [
    "OWN_BILL_APPROVERS",
    "Reference",
    "WorkOnHand",
    "able",
    "approvers_short",
    "check_not_needed",
    "check_workflow_people",
    "referenced_people",
    "work_needing",
]

# Keeping requesters from approving their own bills needs someone else to approve them.
OWN_BILL_APPROVERS = 2


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
        if step.escalation is not None and step.escalation.to != ADMINS:
            yield f"steps[{s}].escalation.to", step.escalation.to, Reference.APPROVE
    yield "default_approver", workflow.default_approver, Reference.APPROVE


def able(person: Person | None, need: Reference) -> bool:
    """Whether ``person`` (None: nobody) may do what a workflow names them for."""
    if person is None:
        return False
    return person.may_approve if need is Reference.APPROVE else person.may_review


def approvers_short(workflow: Workflow, people: Iterable[Person]) -> int | None:
    """How many of ``people`` may approve, when ``workflow`` keeps requesters from approving
    their own bills and they are fewer than that needs; None when nothing is short."""
    if workflow.requester_may_approve:
        return None
    may_approve = sum(p.may_approve for p in people)
    return may_approve if may_approve < OWN_BILL_APPROVERS else None


def check_workflow_people(document: Workflow, people: Directory) -> None:
    """Refuses (WorkflowRefused, naming each field and rule) a document whose people cannot do
    what it asks of them."""
    errors = []
    short = approvers_short(document, people.values())
    if short is not None:
        errors.append(
            FieldError(
                "requester_may_approve",
                "two_approvers_required",
                "keeping requesters from approving their own bills needs two users with the"
                f" approver or admin role; the organisation has {short}",
            )
        )
    for path, email, need in referenced_people(document):
        person = people.get(email)
        if person is None:
            errors.append(
                FieldError(path, "unknown_user", f"{email} is not a user of the organisation")
            )
        elif not able(person, need):
            roles = "approver" if need is Reference.APPROVE else "reviewer"
            errors.append(
                FieldError(path, "role_required", f"{email} needs the {roles} or admin role")
            )
    if errors:
        raise WorkflowRefused(errors)


@dataclass(frozen=True)
class WorkOnHand:
    """What may still depend on one user, as read in the transaction that would change them."""

    others: Sequence[Person]  # every other current user of the organisation
    current: SavedWorkflow | None  # the workflow new requests start on
    running: Mapping[int, Workflow]  # the versions pending requests still run on
    awaiting: int  # pending requests awaiting the user's decision
    stands_in_for: Sequence[UUID]  # users away, not back yet, with the user as substitute
    owns_pulled_requests: bool = False  # the via-Xero requester of an organisation in that mode


def work_needing(person: Person, becomes: Person | None, work: WorkOnHand) -> list[str]:
    """What still depends on ``person`` that they could no longer do as ``becomes`` (None:
    removed), each as a sentence saying what to do first; empty when nothing does."""
    reasons = []
    sole_admin = person.has(Role.ADMIN) and not any(p.has(Role.ADMIN) for p in work.others)
    if sole_admin and not (becomes and becomes.has(Role.ADMIN)):
        reasons.append("they are the organisation's only admin: add another admin first")
    reasons += _named_in_workflows(person, becomes, work)
    if becomes is None and work.owns_pulled_requests:
        reasons.append(
            "they own the bills pulled from Xero (via_xero_requester): choose another requester"
            " in the organisation's settings first"
        )
    if not able(becomes, Reference.APPROVE):
        reasons += _approvals_depending(person, work)
    return reasons


def check_not_needed(person: Person, becomes: Person | None, work: WorkOnHand) -> None:
    """Refuses (UserInUse, naming the work) removing ``person`` or making them ``becomes``."""
    reasons = work_needing(person, becomes, work)
    if reasons:
        raise UserInUse(reasons)


def _named_in_workflows(person: Person, becomes: Person | None, work: WorkOnHand) -> list[str]:
    current = work.current
    versions = dict(work.running)
    if current is not None:
        versions[current.version] = current.document
    reasons = []
    for version, document in sorted(versions.items()):
        named = ", ".join(
            path
            for path, email, need in referenced_people(document)
            if email == person.email and not able(becomes, need)
        )
        if named and current is not None and version == current.version:
            reasons.append(
                f"the current workflow (version {version}) names them at {named}:"
                " save a version without them"
            )
        if named and version in work.running:
            reasons.append(
                f"pending requests run on workflow version {version}, which names them at"
                f" {named}: they must be decided (or force-decided) first"
            )
    return reasons


def _approvals_depending(person: Person, work: WorkOnHand) -> list[str]:
    """What depends on ``person`` approving."""
    reasons = []
    current = work.current
    if (
        current is not None
        and person.may_approve
        and approvers_short(current.document, work.others) is not None
    ):
        reasons.append(
            "the current workflow keeps requesters from approving their own bills, which"
            " needs two users who may approve: give someone else the approver role first"
        )
    if work.awaiting:
        reasons.append(f"{work.awaiting} pending request(s) await their decision: reassign them")
    emails = {p.user_id: p.email for p in work.others}
    for user_id in work.stands_in_for:
        reasons.append(
            f"they stand in for {emails.get(user_id, user_id)} while away:"
            " give that absence another substitute or clear it"
        )
    return reasons
