"""What approval publishes about an organisation's people: approval.people.v1.

Keyed by the organisation, so one organisation's changes arrive in order. Each user event
carries the person's full current state (e-mail, name, roles), so a consumer keeps the latest
per user and never needs the history; the e-mail addresses are why this is a topic of its own,
readable only by the services that must reach people (the notifier).

    UserAdded ─▶ UserChanged* ─▶ UserRemoved
    AbsenceSet (replaces an earlier one) ─▶ AbsenceCleared (back early)
"""

from uuid import UUID

from pydantic import Field

from countersign_contracts._base import ContractModel, EventPayload
from countersign_contracts._money import UtcDatetime


class UserRef(ContractModel):
    """A user of the organisation as approval knows them now."""

    user_id: UUID
    email: str = Field(min_length=3, max_length=254, description="Lower-cased")
    name: str = Field(min_length=1, max_length=255)


class _PeopleEvent(ContractModel):
    organisation_id: UUID = Field(description="Also the envelope organisation_id and subject_id")


class _UserState(_PeopleEvent):
    user: UserRef
    roles: list[str] = Field(
        description="admin, reviewer, approver, requester, auditor (a reader ignores others)"
    )


class UserAdded(_UserState, EventPayload):
    """A person became a user of the organisation (its first admin, an invitation)."""

    added_at: UtcDatetime
    organisation_name: str | None = Field(
        default=None, max_length=255, description="The organisation's name (since 1.1)"
    )
    added_by: UserRef | None = Field(
        default=None,
        description="The admin who invited them; null for the organisation's first admin, whom"
        " the operator registered (since 1.1)",
    )


class UserChanged(_UserState, EventPayload):
    """A user was renamed or given other roles; the event carries them as they are now."""

    changed_at: UtcDatetime


class UserRemoved(_PeopleEvent, EventPayload):
    """A user left the organisation: forget their address."""

    user: UserRef
    removed_at: UtcDatetime


class AbsenceSet(_PeopleEvent, EventPayload):
    """A user is away from ``starts_at`` until ``ends_at``; meanwhile ``substitute`` decides
    what awaits them. Replaces the user's earlier absence."""

    user: UserRef
    substitute: UserRef
    starts_at: UtcDatetime
    ends_at: UtcDatetime
    set_by: UUID = Field(description="The user, or the admin who set it for them")
    set_at: UtcDatetime


class AbsenceCleared(_PeopleEvent, EventPayload):
    """A user is back before their absence ended (or cancelled one yet to start)."""

    user: UserRef
    cleared_by: UUID
    cleared_at: UtcDatetime
