"""An organisation as approval keeps it: the system of record other services learn it from
(``OrganisationRegistered`` / ``OrganisationUpdated``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from countersign_contracts import DuplicatePolicy, LedgerMode, OrganisationStatus
from countersign_platform.refusals import FieldError

from countersign_approval.domain.people import Person
from countersign_approval.domain.refusals import OrganisationSuspended, SettingsRefused

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
    ledger_mode: str = LedgerMode.DIRECT.value  # a ``LedgerMode`` value (ADR 0058)
    via_xero_requester: UUID | None = None  # the user who owns requests pulled from Xero

    def changed(
        self,
        *,
        name: str | None = None,
        base_currency: str | None = None,
        timezone: str | None = None,
        status: str | None = None,
        duplicate_policy: str | None = None,
        ledger_mode: str | None = None,
        via_xero_requester: UUID | None = None,
    ) -> Organisation:
        """With the details given changed; None keeps one as it is."""
        return replace(
            self,
            name=name or self.name,
            base_currency=base_currency or self.base_currency,
            timezone=timezone or self.timezone,
            status=status or self.status,
            duplicate_policy=duplicate_policy or self.duplicate_policy,
            ledger_mode=ledger_mode or self.ledger_mode,
            via_xero_requester=via_xero_requester or self.via_xero_requester,
        )

    @property
    def via_xero(self) -> bool:
        return self.ledger_mode == LedgerMode.VIA_XERO

    def check_ledger_mode(self, requester: Person | None) -> None:
        """Pulled requests need their owner: in the via-Xero mode ``via_xero_requester`` is
        set, and when set it names a current user of the organisation (``requester``, None
        when it names nobody)."""
        if self.via_xero_requester is not None and requester is None:
            rule, message = "unknown_user", f"{self.via_xero_requester} is not a current user"
        elif self.via_xero and self.via_xero_requester is None:
            rule, message = "required", "the via_xero mode needs the user who owns pulled bills"
        else:
            return
        raise SettingsRefused([FieldError("via_xero_requester", rule, message)])

    def check_active(self) -> None:
        """Suspended by the operator: requests wait, no decision is made (409)."""
        if self.status == OrganisationStatus.SUSPENDED:
            raise OrganisationSuspended(
                f"{self.name} is suspended; decisions wait until the operator reactivates it"
            )
