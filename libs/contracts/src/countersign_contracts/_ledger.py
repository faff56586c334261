"""What the publisher reports about its publications: ledger.publications.v1.

What a consumer sees of a bill publication, one outcome after the other:

    BillCreated ─▶ HistoryNotesAdded (unless the organisation turned the notes off)
                ─▶ AttachmentAdded (original) ─▶ AttachmentAdded (audit_report)
                ─▶ PaymentRecorded (only if paid in Dext) ─▶ PublicationCompleted

Of a bank-transaction publication: BankTransactionCreated ─▶ AttachmentAdded ─▶
PublicationCompleted. PublicationFailed may come instead of any of them (retryable or not); its
``step`` names the outcome that was not reached. How the publisher gets from one outcome to the
next (look-ups, retries, batches) is its own and not part of the contract. Since 1.6 every
event names its ``ledger`` and, beside each ``xero_*_id``, the ``ledger_*_id`` (ADR 0065).
"""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field, model_validator

from countersign_contracts._base import ContractModel, EventPayload
from countersign_contracts._bills import BankAccount
from countersign_contracts._dext import DextItemId
from countersign_contracts._differences import XeroDifference
from countersign_contracts._ledger_names import (
    LedgerId,
    LedgerName,
    ledger_field,
    ledger_id_field,
    xero_id_field,
)
from countersign_contracts._money import Amount, CurrencyCode, UtcDatetime
from countersign_contracts._scale import AtCurrencyScale

_SINCE = "1.6"  # ledger.publications.v1 named the ledger and its ids (ADR 0065)


class PublicationKind(StrEnum):
    BILL = "bill"
    BANK_TRANSACTION = "bank_transaction"


class PublicationStep(StrEnum):
    """An outcome a publication was to reach, named for a consumer: the record created
    (``create_bill`` → BillCreated, ``create_bank_transaction`` → BankTransactionCreated), a
    file attached (``attach_original``, ``attach_audit_report`` → AttachmentAdded), the payment
    recorded (``record_payment`` → PaymentRecorded), the approval written to the bill's history
    (``write_history`` → HistoryNotesAdded, since 1.2); a bill pulled from Xero set AUTHORISED
    (``authorise_bill`` → BillAuthorised) or, rejected, back to DRAFT (``return_to_draft`` →
    BillReturnedToDraft), since 1.5. New values may be added."""

    CREATE_BILL = "create_bill"
    CREATE_BANK_TRANSACTION = "create_bank_transaction"
    ATTACH_ORIGINAL = "attach_original"
    ATTACH_AUDIT_REPORT = "attach_audit_report"
    RECORD_PAYMENT = "record_payment"
    WRITE_HISTORY = "write_history"
    AUTHORISE_BILL = "authorise_bill"
    RETURN_TO_DRAFT = "return_to_draft"


class XeroInvoiceStatus(StrEnum):
    """Xero's invoice Status, verbatim."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    AUTHORISED = "AUTHORISED"
    PAID = "PAID"
    VOIDED = "VOIDED"
    DELETED = "DELETED"


class XeroBankTransactionStatus(StrEnum):
    """Xero's bank transaction Status, verbatim."""

    AUTHORISED = "AUTHORISED"
    DELETED = "DELETED"
    VOIDED = "VOIDED"


class AttachmentKind(StrEnum):
    ORIGINAL = "original"
    AUDIT_REPORT = "audit_report"


class _PublicationEvent(ContractModel):
    publication_id: UUID = Field(description="The publication (also the envelope subject_id)")
    kind: PublicationKind
    request_id: UUID | None = Field(
        description="The authorised approval request; null for bank transactions"
    )
    dext_item_id: DextItemId
    item_version: int = Field(ge=1)
    ledger: LedgerName = ledger_field(_SINCE)

    @model_validator(mode="after")
    def _bill_has_request(self) -> "_PublicationEvent":
        if self.kind is PublicationKind.BILL and self.request_id is None:
            raise ValueError("a bill publication needs its request_id")
        return self


class BillCreated(_PublicationEvent, AtCurrencyScale, EventPayload):
    """The bill exists in Xero."""

    amount_fields = ("total",)

    xero_invoice_id: UUID = xero_id_field("ledger_bill_id")
    xero_status: XeroInvoiceStatus
    xero_contact_id: UUID = xero_id_field("ledger_contact_id")
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", _SINCE)
    ledger_contact_id: LedgerId | None = ledger_id_field("xero_contact_id", _SINCE)
    invoice_number: str = Field(max_length=255, description="Xero InvoiceNumber")
    currency: CurrencyCode
    total: Amount


class AttachmentAdded(_PublicationEvent, EventPayload):
    """A file was attached to the Xero bill or bank transaction."""

    xero_invoice_id: UUID | None = xero_id_field("ledger_bill_id", "Set for a bill", default=None)
    xero_bank_transaction_id: UUID | None = xero_id_field(
        "ledger_expense_id", "Set for a bank transaction", default=None
    )
    xero_attachment_id: UUID = xero_id_field("ledger_attachment_id")
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", _SINCE)
    ledger_expense_id: LedgerId | None = ledger_id_field("xero_bank_transaction_id", _SINCE)
    ledger_attachment_id: LedgerId | None = ledger_id_field("xero_attachment_id", _SINCE)
    attachment_kind: AttachmentKind
    file_name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(pattern=r"^[\w.+-]+/[\w.+-]+$")
    size_bytes: int = Field(ge=0)

    @model_validator(mode="after")
    def _one_target(self) -> "AttachmentAdded":
        on_bill = self.xero_invoice_id is not None or self.ledger_bill_id is not None
        on_expense = self.xero_bank_transaction_id is not None or self.ledger_expense_id is not None
        if on_bill == on_expense:
            raise ValueError("name exactly one target: a bill or a bank transaction")
        return self


class HistoryNotesAdded(_PublicationEvent, EventPayload):
    """The approval's decisions were written to the Xero bill's History and Notes, one note
    each, so Xero's users see who approved it at which step and why (since 1.2)."""

    xero_invoice_id: UUID = xero_id_field("ledger_bill_id")
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", _SINCE)
    notes: int = Field(ge=0, description="Notes written: one per decision in the audit trail")


class ChangeSeenBy(StrEnum):
    """How the publisher learnt of a change in Xero: a webhook, or the polling fallback."""

    WEBHOOK = "webhook"
    POLL = "poll"


class BillChangedInXero(_PublicationEvent, EventPayload):
    """A bill Countersign published was changed in its ledger after approval: a watched field
    (supplier, total, currency, a line's account, tax type, tracking or amount, or the status
    going to VOIDED or DELETED) now differs from what was approved. Countersign's own writes
    (attachments, history notes, the payment) are not changes. Emitted once per distinct set
    of differences: again when the bill changes further, not when an unrelated update arrives
    (since 1.3). Despite its name it covers QuickBooks Online too (ledger "qbo", since
    1.6): a Bill edited or deleted in QBO, its department also watched; ledger_bill_id is
    the Bill's Id, xero_invoice_id the name-based UUID of it."""

    xero_invoice_id: UUID
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", _SINCE)
    differences: list[XeroDifference] = Field(
        min_length=1, description="Every watched field that differs, not only the newest edit"
    )
    xero_status: XeroInvoiceStatus = Field(
        description=(
            "The bill's Status in Xero now; for a QBO Bill: AUTHORISED while open, PAID at"
            " Balance 0, DELETED when deleted"
        )
    )
    xero_updated_at: UtcDatetime = Field(
        description=(
            "Xero's UpdatedDateUTC of the changed bill; for QBO its MetaData.LastUpdatedTime"
            " (or the webhook's lastUpdated of a deletion), in UTC"
        )
    )
    seen_by: ChangeSeenBy


class BillAuthorisedOutsideCountersign(AtCurrencyScale, EventPayload):
    """A bill (ACCPAY) was authorised in Xero without coming through Countersign: Status
    AUTHORISED or PAID, dated on or after the organisation's bypass detection start date, and
    made by none of Countersign's publications. Reported once per bill; a bill made from a
    repeating template once per template (the first one seen), not each time (since 1.4)."""

    amount_fields = ("total",)

    publication_id: UUID = Field(
        description=(
            "No publication made this bill: a name-based UUID (v5) of the organisation and the"
            " Xero invoice, the envelope subject_id, so every report about one bill shares it"
        )
    )
    xero_invoice_id: UUID
    ledger: LedgerName = ledger_field(_SINCE)
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", _SINCE)
    invoice_number: str = Field(max_length=255, description="Xero InvoiceNumber (may be empty)")
    xero_contact_id: UUID = Field(description="The bill's Contact.ContactID in Xero")
    ledger_contact_id: LedgerId | None = ledger_id_field("xero_contact_id", _SINCE)
    contact_name: str = Field(max_length=255, description="The bill's Contact.Name in Xero")
    bill_date: date = Field(description="The bill's Date in Xero")
    total: Amount
    currency: CurrencyCode
    xero_status: XeroInvoiceStatus = Field(description="AUTHORISED or PAID")
    repeating_invoice_id: UUID | None = Field(
        description=(
            "The repeating template the bill was made from (Xero's RepeatingInvoiceID); further"
            " bills from it are not reported. Null for a bill entered by hand"
        )
    )
    xero_updated_at: UtcDatetime = Field(description="Xero's UpdatedDateUTC of the bill seen")
    seen_by: ChangeSeenBy


class PaymentRecorded(_PublicationEvent, AtCurrencyScale, EventPayload):
    """The payment made in Dext was recorded against the Xero bill."""

    amount_fields = ("amount",)

    xero_payment_id: UUID = xero_id_field("ledger_payment_id")
    xero_invoice_id: UUID = xero_id_field("ledger_bill_id")
    ledger_payment_id: LedgerId | None = ledger_id_field("xero_payment_id", _SINCE)
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", _SINCE)
    amount: Amount
    currency: CurrencyCode
    bank_account: BankAccount
    paid_on: date
    xero_invoice_status: XeroInvoiceStatus = Field(description="PAID once fully paid")


class BankTransactionCreated(_PublicationEvent, AtCurrencyScale, EventPayload):
    """The Xero SPEND bank transaction exists."""

    amount_fields = ("total",)

    xero_bank_transaction_id: UUID = xero_id_field("ledger_expense_id")
    xero_status: XeroBankTransactionStatus
    xero_contact_id: UUID = xero_id_field("ledger_contact_id")
    ledger_expense_id: LedgerId | None = ledger_id_field("xero_bank_transaction_id", _SINCE)
    ledger_contact_id: LedgerId | None = ledger_id_field("xero_contact_id", _SINCE)
    bank_account: BankAccount
    currency: CurrencyCode
    total: Amount


class PublicationCompleted(_PublicationEvent, EventPayload):
    """Every step succeeded."""

    xero_invoice_id: UUID | None = xero_id_field("ledger_bill_id", "Set for a bill", default=None)
    xero_bank_transaction_id: UUID | None = xero_id_field(
        "ledger_expense_id", "Set for a bank transaction", default=None
    )
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", _SINCE)
    ledger_expense_id: LedgerId | None = ledger_id_field("xero_bank_transaction_id", _SINCE)
    xero_status: str = Field(
        min_length=1, max_length=20, description="Final Xero status, e.g. AUTHORISED or PAID"
    )


class PublicationFailed(_PublicationEvent, EventPayload):
    """A publication stopped at a step and waits for a person. Written once the publisher
    has given up: Xero refused the content (``retryable`` false: fix its cause, e.g. the
    account code in Xero, then ask for a retry), or transient failures ran out of tries or
    the connection broke (``retryable`` true: a retry may succeed as it is). Failures the
    publisher still retries by itself emit nothing."""

    step: PublicationStep = Field(
        description="The outcome not reached: the event that would have come next"
    )
    messages: list[str] = Field(
        min_length=1, description="Xero's validation messages, or the transport error"
    )
    retryable: bool = Field(description="A retry may succeed without changing anything")
    attempt: int = Field(
        ge=1, description="Failed tries of this generation (a retry starts again at 1)"
    )
    http_status: int | None = Field(default=None, description="Xero's HTTP status, if any")
    xero_invoice_id: UUID | None = xero_id_field(
        "ledger_bill_id", "The bill, when it was created before the failing step", default=None
    )
    ledger_bill_id: LedgerId | None = ledger_id_field("xero_invoice_id", _SINCE)


class PublicationCancelled(_PublicationEvent, EventPayload):
    """The publisher gave up a failed publication, as an administrator asked
    (`PublicationCancelRequested`): no bill of it is in Xero, and none will be (since 1.1)."""

    cancelled_by_name: str = Field(min_length=1, max_length=255, description="Who asked")
    reason: str = Field(min_length=1, max_length=2000)
    cancelled_at: UtcDatetime
