"""The people of an organisation as the workflow sees them: roles, and how they appear in the
audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from uuid import UUID

from countersign_contracts import Actor, ActorKind
from countersign_platform.access import Caller
from pydantic import BaseModel, ConfigDict

from countersign_approval.domain.refusals import NotAParticipant

__all__ = ["SYSTEM", "Directory", "Participant", "Person", "Role", "require_approver"]


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    REQUESTER = "requester"
    AUDITOR = "auditor"


class Participant(BaseModel):
    """Who a step or the review waits for, frozen when the request enters it."""

    model_config = ConfigDict(frozen=True)

    user_id: UUID
    email: str
    name: str

    def actor(self, role: str) -> Actor:
        return Actor(
            kind=ActorKind.USER, user_id=self.user_id, name=self.name, email=self.email, role=role
        )


class Person(Participant):
    """A user of the organisation, with their roles."""

    roles: frozenset[Role]

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def may_approve(self) -> bool:
        return self.has(Role.APPROVER, Role.ADMIN)

    @property
    def may_review(self) -> bool:
        return self.has(Role.REVIEWER, Role.ADMIN)

    @property
    def sees_every_request(self) -> bool:
        """Admins and auditors read every request; others those they take part in."""
        return self.has(Role.ADMIN, Role.AUDITOR)

    def changed(self, name: str | None, roles: frozenset[Role] | None) -> Person:
        """Renamed or given other roles (None keeps them); the email is who they are."""
        return self.model_copy(update={"name": name or self.name, "roles": roles or self.roles})

    def participant(self) -> Participant:
        return Participant(user_id=self.user_id, email=self.email, name=self.name)

    def caller(self, organisation_id: UUID, session_id: UUID | None = None) -> Caller:
        """As an access token names them to every service (from a sign-in ``session_id``)."""
        return Caller(
            user_id=self.user_id,
            organisation_id=organisation_id,
            roles=frozenset(str(role) for role in self.roles),
            name=self.name,
            session_id=session_id,
        )


Directory = Mapping[str, Person]
"""The organisation's users by (lower-case) email."""

SYSTEM = Actor(kind=ActorKind.SYSTEM, name="Countersign")


def require_approver(person: Person) -> None:
    """Approving or rejecting, also for someone away, needs the approver or admin role."""
    if not person.may_approve:
        raise NotAParticipant("deciding needs the approver or admin role")
