"""What the publisher tells of bills that start in Xero: ledger.xero-bills.v1 (ADR 0058).

In the via-Xero mode a capture tool (Hubdoc, AutoEntry, Dext publishing to Xero…) puts a bill
in Xero as SUBMITTED ("Awaiting Approval"); the publisher pulls it (webhook or poll) and
announces it here, keyed by its Xero InvoiceID, so every event about one bill keeps its order:

    BillSubmittedInXero ─▶ BillSubmittedInXero*  (a newer state, still SUBMITTED: approval
                       │                          supersedes the request and restarts it)
                       └▶ BillLeftSubmittedInXero (now DRAFT, AUTHORISED, PAID, VOIDED or
                                                   DELETED, by Countersign or by someone else)

Drafts are never pulled. Approval turns the bill into a request with `source: xero`; its
publication (ledger.publications.v1 since 1.5) tells `BillAuthorised` once Countersign set the
bill AUTHORISED, or `BillReturnedToDraft` once a rejected one is back in DRAFT.
"""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from countersign_contracts._audit import Comment
from countersign_contracts._base import ContractModel, EventPayload
from countersign_contracts._bills import LineAmountType, Supplier, TrackingSelection
from countersign_contracts._ledger import ChangeSeenBy, XeroInvoiceStatus, _PublicationEvent
from countersign_contracts._ledger_names import LedgerId, ledger_id_field
from countersign_contracts._money import Amount, CurrencyCode, ExchangeRate, Quantity, UtcDatetime
from countersign_contracts._scale import AtCurrencyScale
from countersign_contracts._text import MultilineText, Text

__all__ = [
    "BillAuthorised",
    "BillLeftSubmittedInXero",
    "BillReturnedToDraft",
    "BillSubmittedInXero",
    "LedgerMode",
    "RequestSource",
    "XeroBill",
    "XeroBillLine",
]


class LedgerMode(StrEnum):
    """Where an organisation's bills start (ADR 0058): `direct` from Dext, approved before
    Countersign creates them in Xero; `via_xero` in Xero as SUBMITTED, pulled for approval and
    authorised there by Countersign (approval.organisations.v1 since 1.2)."""

    DIRECT = "direct"
    VIA_XERO = "via_xero"


class RequestSource(StrEnum):
    """Where a request's bill started: published from Dext, or pulled from Xero
    (approval.requests.v1 since 1.10)."""

    DEXT = "dext"
    XERO = "xero"


class XeroBillLine(ContractModel):
    """One line of a bill as Xero holds it (`LineItems[]`). Looser than `LineItem`: Xero lets a
    capture tool leave the description empty, and the account and tax type may still be for
    the review step to code."""

    line_item_id: UUID | None = Field(default=None, description="Xero LineItemID")
    description: MultilineText = Field(default="", max_length=4000)
    quantity: Quantity
    unit_amount: Amount
    account_code: Text | None = Field(default=None, max_length=10)
    tax_type: Text | None = Field(default=None, max_length=50)
    tax_amount: Amount
    line_amount: Amount = Field(description="Xero LineAmount")
    tracking: list[TrackingSelection] = Field(default_factory=list, max_length=2)
    item_code: Text | None = Field(default=None, max_length=30)


class XeroBill(ContractModel):
    """An ACCPAY invoice as Xero holds it, in the contracts' terms."""

    supplier: Supplier = Field(description="Xero Contact: its ContactID is always set")
    invoice_number: Text | None = Field(
        default=None, max_length=255, description="Xero InvoiceNumber (the supplier's number)"
    )
    issue_date: date = Field(description="Xero Date")
    due_date: date | None = Field(default=None, description="Xero DueDate, when set")
    currency: CurrencyCode
    exchange_rate: ExchangeRate | None = Field(default=None, description="Xero CurrencyRate")
    line_amount_type: LineAmountType
    lines: list[XeroBillLine] = Field(min_length=1, description="Xero requires one to submit")
    subtotal: Amount
    total_tax: Amount
    total: Amount
    url: Text | None = Field(default=None, max_length=2000, description="Xero Url, when set")
    has_attachments: bool = Field(description="Xero HasAttachments")


class _XeroBillEvent(ContractModel):
    xero_invoice_id: UUID = Field(description="The bill's Xero InvoiceID (also the subject_id)")
    xero_updated_at: UtcDatetime = Field(
        description="Xero's UpdatedDateUTC of the state told: the bill's version; a later one"
        " supersedes"
    )
    seen_by: ChangeSeenBy


class BillSubmittedInXero(_XeroBillEvent, EventPayload):
    """A bill of an organisation in the via-Xero mode is SUBMITTED in Xero: pulled for
    approval. Told again for every newer state while it stays SUBMITTED."""

    version: int = Field(
        ge=1,
        description="Counts the bill's states pulled, 1 first: the request's item_version, so"
        " a higher one supersedes and the publisher knows which state was approved",
    )
    bill: XeroBill


class BillLeftSubmittedInXero(_XeroBillEvent, EventPayload):
    """A bill told as submitted is no longer SUBMITTED in Xero."""

    xero_status: XeroInvoiceStatus = Field(description="Its status now")


class BillAuthorised(_PublicationEvent, AtCurrencyScale, EventPayload):
    """A bill pulled from Xero (`source: xero`) is AUTHORISED there by Countersign, as approved:
    Xero's lines, amounts and contact kept, the approved coding set (since 1.5). The
    via-Xero counterpart of `BillCreated`; the rest of the publication follows as for it."""

    amount_fields = ("total",)

    xero_invoice_id: UUID
    xero_status: XeroInvoiceStatus
    xero_contact_id: UUID
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", "1.6")
    ledger_contact_id: LedgerId | None = ledger_id_field("xero_contact_id", "1.6")
    invoice_number: str | None = Field(default=None, max_length=255)
    currency: CurrencyCode
    total: Amount


class BillReturnedToDraft(_PublicationEvent, EventPayload):
    """A bill pulled from Xero whose request was rejected is back in DRAFT there, for its
    capture tool or a Xero user to correct and submit again (since 1.5)."""

    xero_invoice_id: UUID
    xero_status: XeroInvoiceStatus
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", "1.6")
    reason: Comment = Field(description="The rejection's reason, also in the bill's history")
