"""Out of office: while a user is away, their substitute sees what awaits them, may read it, and
approves or rejects in their place, recorded as the substitute acting on their behalf.

    Ann away (Bob substitutes) ──▶ a step waits for Ann ──▶ Bob's pending list shows it
                                                        ──▶ Bob approves: actor Bob
                                                            (substitute), on behalf of Ann

The workflow and the requests do not change: the step still waits for Ann. Substitutes are
not chained: Bob's own absence does not pass Ann's decisions on to a third person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from countersign_platform.refusals import FieldError, Forbidden

from countersign_approval.domain.people import Participant, Person, Role
from countersign_approval.domain.record import RequestRecord
from countersign_approval.domain.refusals import AbsenceRefused, InvalidAction, NotAParticipant

__all__ = [
    "MAX_ABSENCE",
    "Absence",
    "absence",
    "check_may_set",
    "decided_for",
    "stands_in_on",
]

MAX_ABSENCE = timedelta(days=366)


@dataclass(frozen=True)
class Absence:
    """``user_id`` is away from ``starts_at`` until ``ends_at``; meanwhile ``substitute``
    sees and decides what awaits them, on their behalf."""

    user_id: UUID
    substitute: Person
    starts_at: datetime
    ends_at: datetime


def check_may_set(caller: Person, user_id: UUID) -> None:
    """A user sets (or clears) their own absence; an admin anyone's."""
    if caller.user_id != user_id and not caller.has(Role.ADMIN):
        raise Forbidden("only an admin sets another user's absence")


def absence(
    user_id: UUID,
    substitute_email: str,
    substitute: Person | None,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> Absence:
    """The absence asked for, or AbsenceRefused naming each field and rule broken.
    ``substitute`` is the current user ``substitute_email`` names (None: nobody)."""
    errors = []
    if substitute is None:
        errors.append(
            FieldError(
                "substitute_email",
                "unknown_user",
                f"{substitute_email} is not a user of the organisation",
            )
        )
    elif substitute.user_id == user_id:
        errors.append(FieldError("substitute_email", "not_self", "nobody stands in for themselves"))
    elif not substitute.may_approve:
        errors.append(
            FieldError(
                "substitute_email",
                "role_required",
                f"{substitute_email} needs the approver or admin role",
            )
        )
    if ends_at <= starts_at:
        errors.append(FieldError("ends_at", "after_start", "ends_at must be after starts_at"))
    elif ends_at <= now:
        errors.append(FieldError("ends_at", "in_future", "ends_at must be in the future"))
    elif ends_at - starts_at > MAX_ABSENCE:
        errors.append(FieldError("ends_at", "max_length", "an absence lasts at most 366 days"))
    if errors:
        raise AbsenceRefused(errors)
    assert substitute is not None
    return Absence(user_id, substitute, starts_at, ends_at)


def decided_for(
    request: RequestRecord, user: Person, absent: Sequence[Person], named: str | None
) -> Participant | None:
    """The absent approver a decision of ``user`` is for (``absent``: those away now with
    ``user`` as their substitute; ``named``: the one the user names); None: for themselves."""
    if named is not None:
        chosen = next((p for p in absent if p.email == named), None)
        if chosen is None:
            raise NotAParticipant(f"you do not stand in for {named} now")
        return chosen.participant()
    step = request.current_step
    if step is None or step.takes_part(user.user_id):
        return None
    awaited = [p for p in absent if step.waits_for(p.user_id)]
    if len(awaited) > 1:
        emails = ", ".join(p.email for p in awaited)
        raise InvalidAction(f"you stand in for {emails} in this step: name one in on_behalf_of")
    return awaited[0].participant() if awaited else None


def stands_in_on(request: RequestRecord, absent: Sequence[Person]) -> bool:
    """Whether the request awaits one of ``absent``, whose substitute may then read it."""
    return bool({p.user_id for p in absent}.intersection(request.awaiting()))
