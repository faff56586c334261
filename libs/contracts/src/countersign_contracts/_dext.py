"""What ingest publishes about Dext items: dext.cost-items.v1 and dext.bank-transactions.v1."""

from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field

from countersign_contracts._base import ContractModel, EventPayload, unknown_as
from countersign_contracts._bills import (
    URL_PATTERN,
    BankAccount,
    Bill,
    DocumentMetadata,
    LineAmountType,
    LineItem,
    OpenDocumentType,
    Requester,
    Supplier,
)
from countersign_contracts._money import Amount, CurrencyCode, ExchangeRate, UtcDatetime
from countersign_contracts._scale import AtCurrencyScale
from countersign_contracts._text import MultilineText, Text

DextItemId = Annotated[
    Text, Field(min_length=1, max_length=100, description="The item's id in Dext")
]


class DuplicateReason(StrEnum):
    """Why two cost items look like one supplier invoice. An open enum: a reader of this package
    decodes a reason it does not know yet as `same_invoice_number`."""

    SAME_INVOICE_NUMBER = "same_invoice_number"  # supplier + document reference
    SAME_DATE_AND_AMOUNT = "same_date_and_amount"  # supplier + issue date + total + currency


class PossibleDuplicate(ContractModel):
    """Another open or published cost item of the organisation that this one likely duplicates
    (found by ingest at intake; a warning, not a refusal)."""

    dext_item_id: DextItemId = Field(description="The other item's id in Dext")
    request_id: UUID | None = Field(
        default=None,
        description="The other item's approval request: null on dext.cost-items.v1, and when"
        " approval had not opened it yet",
    )
    reason: Annotated[DuplicateReason, unknown_as(DuplicateReason.SAME_INVOICE_NUMBER)] = Field(
        description="The first rule that matched: `same_invoice_number` (supplier and document"
        " reference) or `same_date_and_amount` (supplier, issue date, total and currency)"
    )


class XeroBillDuplicate(ContractModel):
    """A bill already in the organisation's Xero, entered there rather than made by Countersign
    (ledger.bills.v1), that this cost item likely duplicates (since 1.2)."""

    xero_invoice_id: UUID = Field(description="The bill's InvoiceID in Xero")
    invoice_number: str = Field(max_length=255, description="Xero InvoiceNumber (may be empty)")
    contact_name: str = Field(max_length=255, description="The bill's Contact.Name in Xero")
    reason: Annotated[DuplicateReason, unknown_as(DuplicateReason.SAME_INVOICE_NUMBER)] = Field(
        description="The first rule that matched, as for `possible_duplicates`"
    )


class _DextItemVersion(ContractModel):
    dext_item_id: DextItemId
    version: int = Field(ge=1, description="Version of the item; each republish from Dext adds one")


class CostItemSubmitted(_DextItemVersion, EventPayload):
    """A cost item (bill, receipt, expense report…) was published from Dext for approval."""

    supersedes_version: int | None = Field(
        default=None,
        ge=1,
        description="The earlier version this one replaces (a republish after rejection or edit)",
    )
    bill: Bill
    submitted_at: UtcDatetime = Field(description="When the requester published it in Dext")
    possible_duplicates: list[PossibleDuplicate] = Field(
        default_factory=list,
        description="Other open or published items this one likely duplicates (since 1.1)",
    )
    possible_duplicates_in_xero: list[XeroBillDuplicate] = Field(
        default_factory=list,
        description="Bills entered in Xero directly that this one likely duplicates (since 1.2)",
    )


class CostItemWithdrawn(_DextItemVersion, EventPayload):
    """A cost item version was deleted or unpublished in Dext before it reached the ledger."""

    withdrawn_at: UtcDatetime
    reason: MultilineText | None = Field(default=None, max_length=1000)


class BankTransactionSubmitted(_DextItemVersion, AtCurrencyScale, EventPayload):
    """A Dext item published to a bank account: it skips approval and becomes a Xero SPEND
    bank transaction."""

    amount_fields = ("subtotal", "total_tax", "total")

    document_type: OpenDocumentType
    contact: Supplier = Field(description="Who was paid")
    bank_account: BankAccount = Field(description="The Xero bank account the money left")
    transaction_date: date = Field(description="Xero Date")
    reference: Text | None = Field(default=None, max_length=255, description="Xero Reference")
    currency: CurrencyCode
    exchange_rate: ExchangeRate | None = Field(
        default=None, description="Xero CurrencyRate; null lets Xero use its daily rate"
    )
    line_amount_type: LineAmountType
    lines: list[LineItem] = Field(min_length=1)
    subtotal: Amount
    total_tax: Amount
    total: Amount
    requester: Requester
    source_url: Text = Field(
        max_length=2000, pattern=URL_PATTERN, description="Link to the item in Dext; Xero Url"
    )
    document: DocumentMetadata
    submitted_at: UtcDatetime
