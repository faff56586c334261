"""Out of office: an absent user's substitute decides in their place until the absence ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from countersign_approval.domain.people import Person

__all__ = ["Absence"]


@dataclass(frozen=True)
class Absence:
    """``user_id`` is away from ``starts_at`` until ``ends_at``; meanwhile ``substitute``
    sees and decides what awaits them, on their behalf."""

    user_id: UUID
    substitute: Person
    starts_at: datetime
    ends_at: datetime
