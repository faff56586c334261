"""An organisation as approval keeps it: the system of record other services learn it from
(``OrganisationRegistered`` / ``OrganisationUpdated``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from countersign_contracts import DuplicatePolicy, OrganisationStatus

from countersign_approval.domain.refusals import OrganisationSuspended

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
    duplicate_policy: str = DuplicatePolicy.WARN.value  # a ``DuplicatePolicy`` value

    def changed(
        self,
        *,
        name: str | None = None,
        base_currency: str | None = None,
        timezone: str | None = None,
        status: str | None = None,
        duplicate_policy: str | None = None,
    ) -> Organisation:
        """With the details given changed; None keeps one as it is."""
        return replace(
            self,
            name=name or self.name,
            base_currency=base_currency or self.base_currency,
            timezone=timezone or self.timezone,
            status=status or self.status,
            duplicate_policy=duplicate_policy or self.duplicate_policy,
        )

    def check_active(self) -> None:
        """Suspended by the operator: requests wait, no decision is made (409)."""
        if self.status == OrganisationStatus.SUSPENDED:
            raise OrganisationSuspended(
                f"{self.name} is suspended; decisions wait until the operator reactivates it"
            )
