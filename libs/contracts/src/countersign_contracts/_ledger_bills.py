"""What the publisher announces of the bills in an organisation's Xero: ledger.bills.v1.

Every bill (ACCPAY) the publisher sees in Xero, whoever entered it, keyed by its InvoiceID:

    LedgerBillRecorded (first seen, or its number, supplier, date, total, currency, status or
        maker changed; not on attachments, history notes or payments that change none)
    ─▶ LedgerBillRecorded … ─▶ LedgerBillRemoved (VOIDED or DELETED in Xero)

A consumer keeps the newest by ``xero_updated_at`` (Xero's clock): the announcements of one bill
share a key, but a poll and a webhook may report states of it in either order.
"""

from datetime import date
from uuid import UUID

from pydantic import Field

from countersign_contracts._base import ContractModel, EventPayload
from countersign_contracts._ledger import ChangeSeenBy, XeroInvoiceStatus
from countersign_contracts._ledger_names import LedgerId, LedgerName, ledger_field, ledger_id_field
from countersign_contracts._money import Amount, CurrencyCode, UtcDatetime
from countersign_contracts._scale import AtCurrencyScale

_SINCE = "1.1"  # named the ledger and the bill's and contact's ids there (ADR 0065)


class _LedgerBillEvent(ContractModel):
    xero_invoice_id: UUID = Field(description="Xero InvoiceID (also the envelope subject_id)")
    ledger: LedgerName = ledger_field(_SINCE)
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", _SINCE)
    xero_updated_at: UtcDatetime = Field(description="Xero's UpdatedDateUTC of the state seen")
    seen_by: ChangeSeenBy


class LedgerBillRecorded(_LedgerBillEvent, AtCurrencyScale, EventPayload):
    """A bill (ACCPAY) in the organisation's Xero as it now is: DRAFT, SUBMITTED, AUTHORISED or
    PAID. Announced when first seen and whenever a field below changes."""

    amount_fields = ("total",)

    invoice_number: str = Field(max_length=255, description="Xero InvoiceNumber (may be empty)")
    xero_contact_id: UUID = Field(description="The bill's Contact.ContactID in Xero")
    ledger_contact_id: LedgerId | None = ledger_id_field("xero_contact_id", _SINCE)
    contact_name: str = Field(max_length=255, description="The bill's Contact.Name in Xero")
    bill_date: date = Field(description="The bill's Date in Xero")
    total: Amount
    currency: CurrencyCode
    xero_status: XeroInvoiceStatus = Field(description="DRAFT, SUBMITTED, AUTHORISED or PAID")
    publication_id: UUID | None = Field(
        description="The Countersign publication that made the bill (ledger.publications.v1);"
        " null for a bill entered in Xero in any other way"
    )


class LedgerBillRemoved(_LedgerBillEvent, EventPayload):
    """A bill announced before was voided or deleted in Xero: it is no longer a bill."""

    xero_status: XeroInvoiceStatus = Field(description="VOIDED or DELETED")
