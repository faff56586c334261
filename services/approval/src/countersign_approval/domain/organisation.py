"""An organisation as approval keeps it: the system of record other services learn it from
(``OrganisationRegistered`` / ``OrganisationUpdated``)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

__all__ = ["Organisation"]


@dataclass(frozen=True)
class Organisation:
    """Its id is the one Dext and Xero connections already use; ``status`` is an
    ``OrganisationStatus`` value."""

    organisation_id: UUID
    name: str
    base_currency: str
    timezone: str
    status: str
