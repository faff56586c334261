"""What approval publishes about organisations: approval.organisations.v1.

Both events carry the organisation's full current state, so a consumer keeps the latest one
per organisation and never needs the history.
"""

from enum import StrEnum
from uuid import UUID

from pydantic import Field

from countersign_contracts._base import ContractModel, EventPayload
from countersign_contracts._money import CurrencyCode
from countersign_contracts._xero_bills import LedgerMode


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class DuplicatePolicy(StrEnum):
    """What intake does with a likely duplicate cost item: `warn` takes it and marks it;
    `block` refuses it (Dext is answered 409 naming the other item)."""

    WARN = "warn"
    BLOCK = "block"


class _OrganisationState(ContractModel):
    organisation_id: UUID = Field(description="Also the envelope organisation_id and subject_id")
    name: str = Field(min_length=1, max_length=255)
    base_currency: CurrencyCode = Field(description="The Xero organisation's base currency")
    timezone: str = Field(
        pattern=r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$",
        max_length=64,
        description="IANA time zone, e.g. Europe/London",
    )
    status: OrganisationStatus
    xero_tenant_id: UUID | None = Field(
        default=None, description="The connected Xero tenant, once connected"
    )
    duplicate_policy: DuplicatePolicy = Field(
        default=DuplicatePolicy.WARN,
        description="What intake does with a likely duplicate cost item (since 1.1)",
    )
    ledger_mode: LedgerMode = Field(
        default=LedgerMode.DIRECT,
        description="Where the organisation's bills start: direct from Dext, or via Xero"
        " (since 1.2)",
    )
    via_xero_requester: UUID | None = Field(
        default=None,
        description="The user who owns requests pulled from Xero; set while ledger_mode is"
        " via_xero (since 1.2)",
    )


class OrganisationRegistered(_OrganisationState, EventPayload):
    """An organisation joined Countersign."""


class OrganisationUpdated(_OrganisationState, EventPayload):
    """An organisation's details or status changed."""
