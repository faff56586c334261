"""What the publisher reports about the suppliers in the ledger: ledger.suppliers.v1."""

from enum import StrEnum
from uuid import UUID

from pydantic import Field

from countersign_contracts._base import EventPayload
from countersign_contracts._ledger_names import (
    LedgerId,
    LedgerName,
    ledger_field,
    ledger_id_field,
    xero_id_field,
)
from countersign_contracts._money import CurrencyCode, UtcDatetime

__all__ = ["ContactStatus", "SupplierSynced"]

_SINCE = "1.1"  # named the ledger and the contact's id there (ADR 0065)


class ContactStatus(StrEnum):
    """Xero's ContactStatus."""

    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"
    GDPR_REQUEST = "GDPRREQUEST"


class SupplierSynced(EventPayload):
    """The current state of a Xero contact that is a supplier (has at least one bill)."""

    xero_contact_id: UUID = xero_id_field(
        "ledger_contact_id", "Xero ContactID (also the envelope subject_id)"
    )
    ledger: LedgerName = ledger_field(_SINCE)
    ledger_contact_id: LedgerId | None = ledger_id_field("xero_contact_id", _SINCE)
    name: str = Field(min_length=1, max_length=255)
    status: ContactStatus
    contact_number: str | None = Field(default=None, max_length=50)
    tax_number: str | None = Field(default=None, max_length=50)
    default_currency: CurrencyCode | None = None
    purchases_default_account_code: str | None = Field(default=None, max_length=10)
    xero_updated_at: UtcDatetime = Field(
        description="Xero's UpdatedDateUTC: a consumer keeps the newest state per contact"
    )
