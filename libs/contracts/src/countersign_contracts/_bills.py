"""The bill as Dext captures it and Xero receives it, and its parts.

Field meanings follow Xero's ACCPAY invoice (see docs/contracts.md): a `Bill` here maps one to one
onto the bill the publisher creates, so what approvers saw is what the ledger gets.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from countersign_contracts._base import ContractModel, unknown_as
from countersign_contracts._money import (
    Amount,
    CurrencyCode,
    ExchangeRate,
    Quantity,
    amount_at_scale,
    price_at_scale,
    quantity_at_scale,
    rescaled,
)
from countersign_contracts._scale import AtCurrencyScale
from countersign_contracts._text import MultilineText, Text

URL_PATTERN = r"^https?://\S+$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"


class LineAmountType(StrEnum):
    """Whether line amounts include tax (Xero `LineAmountTypes`)."""

    EXCLUSIVE = "exclusive"
    INCLUSIVE = "inclusive"
    NO_TAX = "no_tax"


class DocumentType(StrEnum):
    """The Dext document type. Credit notes and refunds are not publishable as bills.
    An open enum: a reader of this package decodes a type it does not know yet as `other`."""

    INVOICE = "invoice"
    RECEIPT = "receipt"
    ATM = "atm"
    OTHER = "other"
    STATEMENT = "statement"
    DELIVERY_NOTE = "delivery_note"
    MILEAGE = "mileage"
    EXPENSE_REPORT = "expense_report"


OpenDocumentType = Annotated[DocumentType, unknown_as(DocumentType.OTHER)]


class TrackingSelection(ContractModel):
    """One tracking option chosen on a line (Xero `LineItems[].Tracking[]`)."""

    category: Text = Field(
        min_length=1, max_length=100, description="Tracking category name, e.g. Region"
    )
    option: Text = Field(min_length=1, max_length=100, description="Option name, e.g. North")
    category_id: UUID | None = Field(
        default=None, description="Xero TrackingCategoryID, when known"
    )
    option_id: UUID | None = Field(default=None, description="Xero TrackingOptionID, when known")


class LineItem(ContractModel):
    """One bill line (Xero `LineItems[]`)."""

    description: MultilineText = Field(min_length=1, max_length=4000)
    quantity: Quantity
    unit_amount: Amount = Field(description="Price of one unit, in the bill's currency")
    account_code: Text = Field(
        min_length=1,
        max_length=10,
        description="Xero account code from the chart of accounts (Dext 'Category')",
    )
    tax_type: Text = Field(
        min_length=1, max_length=50, description="Xero TaxType code, e.g. INPUT2 or NONE"
    )
    tax_amount: Amount = Field(description="Tax on this line, rounded to the currency's minor unit")
    line_amount: Amount = Field(
        description=(
            "quantity times unit_amount; includes tax when the bill's line_amount_type is "
            "'inclusive' (Xero LineAmount)"
        )
    )
    tracking: list[TrackingSelection] = Field(
        default_factory=list,
        max_length=2,
        description="At most two tracking options (Xero's limit)",
    )
    item_code: Text | None = Field(
        default=None, max_length=30, description="Xero inventory item code, if any"
    )

    def at_scale(self, currency: str, *, tolerant: bool = False) -> Self:
        """This line with its amounts written at ``currency``'s scale (the same object when
        they already are); see `_money`."""
        changes = {
            **rescaled(self, ("quantity",), quantity_at_scale, tolerant),
            **rescaled(self, ("unit_amount",), lambda v: price_at_scale(v, currency), tolerant),
            **rescaled(
                self,
                ("tax_amount", "line_amount"),
                lambda v: amount_at_scale(v, currency),
                tolerant,
            ),
        }
        return self.model_copy(update=changes) if changes else self


class Supplier(ContractModel):
    """The supplier (a Xero contact)."""

    name: Text = Field(min_length=1, max_length=255, description="Supplier name as coded in Dext")
    xero_contact_id: UUID | None = Field(
        default=None,
        description="Xero ContactID when matched to an existing contact; null means match by name",
    )


class Requester(ContractModel):
    """The person who published the item from Dext ('Submitted by')."""

    user_id: Text = Field(min_length=1, max_length=100, description="The user's id in Dext")
    name: Text = Field(min_length=1, max_length=255)
    email: Text = Field(max_length=320, pattern=EMAIL_PATTERN)


class BankAccount(ContractModel):
    """A Xero bank account (type BANK), identified by code and/or id."""

    code: Text | None = Field(default=None, max_length=10, description="Xero account Code")
    account_id: UUID | None = Field(default=None, description="Xero AccountID")
    name: Text | None = Field(default=None, max_length=150, description="Display name")

    @model_validator(mode="after")
    def _identified(self) -> "BankAccount":
        if self.code is None and self.account_id is None:
            raise ValueError("a bank account needs a code or an account_id")
        return self


class Payment(ContractModel):
    """Whether the bill was already paid, and from which account (Dext 'Paid' and 'Payment
    Method'). When `paid`, the publisher records a payment so the Xero bill ends PAID."""

    paid: bool
    account: BankAccount | None = Field(
        default=None, description="The Xero bank account the bill was paid from; required if paid"
    )
    paid_on: date | None = Field(
        default=None, description="Payment date; when null, the bill's issue date"
    )

    @model_validator(mode="after")
    def _account_when_paid(self) -> "Payment":
        if self.paid and self.account is None:
            raise ValueError("a paid bill needs the bank account it was paid from")
        return self


class DocumentMetadata(ContractModel):
    """The original file captured by Dext, stored by ingest."""

    document_id: UUID = Field(description="Id of the stored file in ingest")
    file_name: Text = Field(min_length=1, max_length=255)
    media_type: str = Field(
        pattern=r"^[\w.+-]+/[\w.+-]+$", description="MIME type, e.g. application/pdf"
    )
    size_bytes: int = Field(ge=0)
    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file, lower-case hex"
    )


class Bill(AtCurrencyScale):
    """A supplier bill (Xero ACCPAY invoice) with its evidence."""

    amount_fields = ("subtotal", "total_tax", "total")

    document_type: OpenDocumentType
    supplier: Supplier
    document_reference: Text = Field(
        min_length=1,
        max_length=255,
        description="Dext 'Document reference' (invoice number); Xero bill InvoiceNumber",
    )
    issue_date: date = Field(description="Xero Date")
    due_date: date = Field(description="Xero DueDate; Dext uses the issue date for non-invoices")
    currency: CurrencyCode
    exchange_rate: ExchangeRate | None = Field(
        default=None,
        description=(
            "Xero CurrencyRate: units of `currency` per one unit of the organisation's base "
            "currency; null lets Xero use its daily rate"
        ),
    )
    line_amount_type: LineAmountType
    lines: list[LineItem] = Field(min_length=1)
    subtotal: Amount = Field(description="Sum of the lines excluding tax")
    total_tax: Amount
    total: Amount = Field(description="subtotal + total_tax")
    payment: Payment
    requester: Requester
    source_url: Text = Field(
        max_length=2000,
        pattern=URL_PATTERN,
        description="'Open original document' link to the item in Dext; the Xero bill's Url",
    )
    document: DocumentMetadata
