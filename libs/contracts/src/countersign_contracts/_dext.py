"""What ingest publishes about Dext items: dext.cost-items.v1 and dext.bank-transactions.v1."""

from datetime import date
from typing import Annotated

from pydantic import Field

from countersign_contracts._base import ContractModel, EventPayload
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
