"""What a request needs to move through its workflow, handed in when it does: the workflow
version it runs on and the organisation's people as they are now."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from countersign_contracts import WorkflowRef

from countersign_approval.domain.people import Directory, Participant, Role
from countersign_approval.domain.workflow import Workflow

__all__ = ["Run"]


@dataclass(frozen=True)
class Run:
    """What the request needs to move through its workflow."""

    workflow: Workflow
    ref: WorkflowRef
    people: Directory
    base_currency: str

    def stand_in(self, step_index: int, *barred: UUID) -> Participant | None:
        """Who approves a step left with nobody once the requester (and whoever else is
        ``barred``) is left out: its default approver, the workflow's, else the first other
        admin, then approver, by email."""
        named = (self.workflow.steps[step_index].default_approver, self.workflow.default_approver)
        by_email = sorted(self.people.values(), key=lambda p: p.email)
        candidates = [
            *(self.people[e] for e in named if e is not None and e in self.people),
            *(p for p in by_email if p.has(Role.ADMIN)),
            *(p for p in by_email if p.may_approve),
        ]
        chosen = next((p for p in candidates if p.may_approve and p.user_id not in barred), None)
        return None if chosen is None else chosen.participant()
