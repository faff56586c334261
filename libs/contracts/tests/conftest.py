"""Realistic example events, one per event type, and the fixtures that hand them to tests."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from countersign_contracts import (
    AbsenceCleared,
    AbsenceSet,
    AccountClass,
    Actor,
    ActorKind,
    AttachmentAdded,
    AttachmentKind,
    AuditAction,
    AuditEntry,
    BankAccount,
    BankTransactionCreated,
    BankTransactionSubmitted,
    Bill,
    BillAuthorised,
    BillAuthorisedOutsideCountersign,
    BillChangedInXero,
    BillCreated,
    BillLeftSubmittedInXero,
    BillReturnedToDraft,
    BillSubmittedInXero,
    ChangeSeenBy,
    ContactStatus,
    CostItemSubmitted,
    CostItemWithdrawn,
    DocumentMetadata,
    DocumentType,
    Envelope,
    EventPayload,
    FieldChange,
    HistoryNotesAdded,
    LedgerAccount,
    LedgerBillRecorded,
    LedgerBillRemoved,
    LedgerBound,
    LedgerConnectionChanged,
    LedgerConnectionStatus,
    LedgerMasterDataSynced,
    LedgerTaxRate,
    LedgerTrackingCategory,
    LedgerTrackingOption,
    LineAmountType,
    LineItem,
    MasterDataStatus,
    OrganisationRegistered,
    OrganisationStatus,
    OrganisationUpdated,
    Payment,
    PaymentRecorded,
    PublicationCancelled,
    PublicationCancelRequested,
    PublicationCompleted,
    PublicationFailed,
    PublicationKind,
    PublicationRetryRequested,
    PublicationStatus,
    PublicationStep,
    RepublishRefused,
    RequestApproverReassigned,
    RequestAuthorised,
    RequestCancelled,
    Requester,
    RequestOpened,
    RequestPublicationUpdated,
    RequestRejected,
    RequestStepDeadlineApproaching,
    RequestStepDecided,
    RequestStepEscalated,
    RequestStepOverdue,
    RequestSuperseded,
    StepDecision,
    StepRef,
    Supplier,
    SupplierSynced,
    TrackingSelection,
    UserAdded,
    UserChanged,
    UserRef,
    UserRemoved,
    WithdrawalRefused,
    WorkflowRef,
    XeroBankTransactionStatus,
    XeroBill,
    XeroBillLine,
    XeroDifference,
    XeroInvoiceStatus,
    new_envelope,
)

ORGANISATION_ID = UUID("0190f1c2-7a3e-7b11-8c4d-5e6f7a8b9c0d")
CORRELATION_ID = UUID("0190f1c2-7a3e-7c22-9d5e-6f7a8b9c0d1e")
REQUEST_ID = UUID("0190f1c3-1111-7a00-8000-000000000001")
PUBLICATION_ID = UUID("0190f1c4-2222-7b00-8000-000000000002")
XERO_INVOICE_ID = UUID("5cc8cf28-567e-4d43-b287-687cfcaec47d")
XERO_CONTACT_ID = UUID("5cc8cf28-567e-4d43-b287-687cfcaec47c")
AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)

BANK = BankAccount(
    code="090", account_id=UUID("13918178-849a-4823-9a31-57b7eac713d7"), name="Business Bank"
)
WORKFLOW = WorkflowRef(
    workflow_id=UUID("0190f1c5-3333-7c00-8000-000000000003"),
    version=3,
    name="Bill creation, review and approval",
)
STEP_ONE = StepRef(index=0, name="Budget holder")
STEP_TWO = StepRef(index=1, name="Finance director")
FINANCE_DIRECTOR = Actor(
    kind=ActorKind.USER,
    user_id=UUID("0190f1c6-4444-7d00-8000-000000000004"),
    name="Priya Shah",
    role="approver",
)
DEPUTY = Actor(
    kind=ActorKind.USER,
    user_id=UUID("0190f1c6-4444-7d00-8000-000000000005"),
    name="Sam Okafor",
    email="sam@example.co.uk",
    role="approver",
)
DIRECTOR_REF = UserRef(
    user_id=UUID("0190f1c6-4444-7d00-8000-000000000004"),
    email="priya@example.co.uk",
    name="Priya Shah",
)
DEPUTY_REF = UserRef(
    user_id=UUID("0190f1c6-4444-7d00-8000-000000000005"),
    email="sam@example.co.uk",
    name="Sam Okafor",
)
SYSTEM = Actor(kind=ActorKind.SYSTEM, name="Countersign")
REQUESTER = Requester(user_id="dext-user-8812", name="Tom Baker", email="tom@example.co.uk")
DOCUMENT = DocumentMetadata(
    document_id=UUID("0190f1c7-5555-7e00-8000-000000000005"),
    file_name="SUP-12345.pdf",
    media_type="application/pdf",
    size_bytes=48213,
    sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
)


def bill(**changes: object) -> Bill:
    """A two-line GBP bill, paid by card: 0.10 + 0.20 of stationery, exactly 0.30 net."""
    fields: dict[str, object] = {
        "document_type": DocumentType.INVOICE,
        "supplier": Supplier(name="Paper & Co Ltd", xero_contact_id=XERO_CONTACT_ID),
        "document_reference": "SUP-12345",
        "issue_date": date(2026, 5, 1),
        "due_date": date(2026, 5, 31),
        "currency": "GBP",
        "exchange_rate": None,
        "line_amount_type": LineAmountType.EXCLUSIVE,
        "lines": [
            LineItem(
                description="Printer paper",
                quantity=Decimal("1"),
                unit_amount=Decimal("0.10"),
                account_code="429",
                tax_type="INPUT2",
                tax_amount=Decimal("0.02"),
                line_amount=Decimal("0.10"),
                tracking=[
                    TrackingSelection(category="Region", option="North"),
                    TrackingSelection(
                        category="Department",
                        option="Operations",
                        category_id=UUID("351953c4-8127-4009-88c3-f9cd8c9cbe9f"),
                        option_id=UUID("ce205173-7387-4651-9726-2cf4c5405ba2"),
                    ),
                ],
            ),
            LineItem(
                description="Staples",
                quantity=Decimal("2.5000"),
                unit_amount=Decimal("0.08"),
                account_code="429",
                tax_type="INPUT2",
                tax_amount=Decimal("0.04"),
                line_amount=Decimal("0.20"),
                item_code="STAPLE-26",
            ),
        ],
        "subtotal": Decimal("0.30"),
        "total_tax": Decimal("0.06"),
        "total": Decimal("0.36"),
        "payment": Payment(paid=True, account=BANK, paid_on=date(2026, 5, 2)),
        "requester": REQUESTER,
        "source_url": "https://app.dext.com/costs/items/8812-4471",
        "document": DOCUMENT,
    }
    fields.update(changes)
    return Bill.model_validate(fields)


def all_examples() -> dict[str, EventPayload]:
    """One realistic payload per event type, by event type."""
    request = {"request_id": REQUEST_ID, "dext_item_id": "8812-4471", "item_version": 2}
    publication = {
        "publication_id": PUBLICATION_ID,
        "request_id": REQUEST_ID,
        "dext_item_id": "8812-4471",
        "item_version": 2,
        "kind": PublicationKind.BILL,
    }
    spend = {**publication, "request_id": None, "kind": PublicationKind.BANK_TRANSACTION}
    organisation = {
        "organisation_id": ORGANISATION_ID,
        "name": "Baker & Daughters Ltd",
        "base_currency": "GBP",
        "timezone": "Europe/London",
        "status": OrganisationStatus.ACTIVE,
    }
    examples: list[EventPayload] = [
        CostItemSubmitted(
            dext_item_id="8812-4471",
            version=2,
            supersedes_version=1,
            bill=bill(),
            submitted_at=AT,
        ),
        CostItemWithdrawn(
            dext_item_id="8812-4471", version=2, withdrawn_at=AT, reason="Deleted in Dext"
        ),
        BankTransactionSubmitted(
            dext_item_id="8812-9001",
            version=1,
            document_type=DocumentType.RECEIPT,
            contact=Supplier(name="City Taxis"),
            bank_account=BANK,
            transaction_date=date(2026, 5, 2),
            reference="card 1234",
            currency="EUR",
            exchange_rate=Decimal("1.1764"),
            line_amount_type=LineAmountType.INCLUSIVE,
            lines=[
                LineItem(
                    description="Taxi",
                    quantity=Decimal("1"),
                    unit_amount=Decimal("20.00"),
                    account_code="493",
                    tax_type="INPUT2",
                    tax_amount=Decimal("3.33"),
                    line_amount=Decimal("20.00"),
                )
            ],
            subtotal=Decimal("16.67"),
            total_tax=Decimal("3.33"),
            total=Decimal("20.00"),
            requester=REQUESTER,
            source_url="https://app.dext.com/costs/items/8812-9001",
            document=DOCUMENT,
            submitted_at=AT,
        ),
        RequestOpened(
            **request,
            workflow=WORKFLOW,
            bill=bill(),
            current_step=STEP_ONE,
            supersedes_request_id=UUID("0190f1c3-1111-7a00-8000-0000000000ff"),
            opened_at=AT,
        ),
        RequestStepDecided(
            **request,
            workflow=WORKFLOW,
            step=STEP_ONE,
            decision=StepDecision.APPROVED,
            decided_by=FINANCE_DIRECTOR,
            comment="Fine, within budget",
            step_completed=True,
            next_step=STEP_TWO,
            decided_at=AT,
        ),
        RequestStepOverdue(
            **request,
            workflow=WORKFLOW,
            step=STEP_TWO,
            awaiting=[FINANCE_DIRECTOR],
            entered_at=AT,
            due_at=AT + timedelta(hours=48),
        ),
        RequestStepDeadlineApproaching(
            **request,
            workflow=WORKFLOW,
            step=STEP_TWO,
            awaiting=[FINANCE_DIRECTOR],
            entered_at=AT,
            due_at=AT + timedelta(hours=48),
        ),
        RequestApproverReassigned(
            **request,
            workflow=WORKFLOW,
            step=STEP_TWO,
            reassigned_by=FINANCE_DIRECTOR.model_copy(update={"role": "admin"}),
            replaced=FINANCE_DIRECTOR,
            replacement=DEPUTY,
            comment="On leave this week",
            awaiting=[DEPUTY],
            reassigned_at=AT,
        ),
        RequestStepEscalated(
            **request,
            workflow=WORKFLOW,
            step=STEP_TWO,
            escalated_to=[FINANCE_DIRECTOR.model_copy(update={"role": "escalation"})],
            awaiting=[FINANCE_DIRECTOR.model_copy(update={"role": "escalation"})],
            due_at=AT + timedelta(hours=48),
            escalated_at=AT + timedelta(hours=72),
        ),
        RequestAuthorised(
            **request,
            workflow=WORKFLOW,
            bill=bill(supplier=Supplier(name="Paper and Co Limited")),
            audit_trail=[
                AuditEntry(at=AT, actor=SYSTEM, action=AuditAction.SUBMITTED),
                AuditEntry(
                    at=AT,
                    actor=FINANCE_DIRECTOR,
                    action=AuditAction.EDITED,
                    step=STEP_ONE,
                    changes=[
                        FieldChange(
                            field="supplier.name",
                            before="Paper & Co Ltd",
                            after="Paper and Co Limited",
                        ),
                        FieldChange(field="lines[1].tax_amount", before="0.05", after="0.04"),
                    ],
                ),
                AuditEntry(
                    at=AT,
                    actor=FINANCE_DIRECTOR,
                    action=AuditAction.APPROVED,
                    step=STEP_TWO,
                    comment="Approved",
                ),
            ],
            auto_approved=False,
            authorised_at=AT,
        ),
        RequestRejected(
            **request,
            workflow=WORKFLOW,
            rejected_by=FINANCE_DIRECTOR,
            reason="Wrong cost centre: use Marketing",
            step=STEP_TWO,
            rejected_at=AT,
        ),
        RequestSuperseded(
            **request,
            superseded_by_request_id=UUID("0190f1c3-1111-7a00-8000-000000000010"),
            superseded_by_item_version=3,
            superseded_at=AT,
        ),
        RequestCancelled(
            **request, cancelled_by=SYSTEM, reason="Withdrawn in Dext", cancelled_at=AT
        ),
        RequestPublicationUpdated(
            **request,
            publication_id=PUBLICATION_ID,
            status=PublicationStatus.PUBLISH_FAILED,
            messages=["The TaxType code 'INPUT2' cannot be used with account code '429'"],
            updated_at=AT,
        ),
        PublicationRetryRequested(
            **request,
            publication_id=PUBLICATION_ID,
            requested_by=FINANCE_DIRECTOR,
            comment="Account 429 unarchived in Xero",
            requested_at=AT,
        ),
        PublicationCancelRequested(
            **request,
            publication_id=PUBLICATION_ID,
            requested_by=FINANCE_DIRECTOR,
            reason="Entered by hand in Xero instead",
            requested_at=AT,
        ),
        RepublishRefused(
            **request,
            stage=LedgerBound.PUBLISHING,
            xero_invoice_id=XERO_INVOICE_ID,
            reason="Version 1 was authorised and is on its way to Xero: amend the bill there",
            refused_item_version=2,
            refused_at=AT,
        ),
        WithdrawalRefused(
            **request,
            stage=LedgerBound.AUTHORISED,
            reason="Version 1 was authorised and is on its way to Xero: void the bill there",
            withdrawn_item_version=1,
            refused_at=AT,
        ),
        BillCreated(
            **publication,
            xero_invoice_id=XERO_INVOICE_ID,
            xero_status=XeroInvoiceStatus.AUTHORISED,
            xero_contact_id=XERO_CONTACT_ID,
            invoice_number="SUP-12345",
            currency="GBP",
            total=Decimal("0.36"),
        ),
        BillAuthorised(
            **publication,
            xero_invoice_id=XERO_INVOICE_ID,
            xero_status=XeroInvoiceStatus.AUTHORISED,
            xero_contact_id=XERO_CONTACT_ID,
            invoice_number="SUP-12345",
            currency="GBP",
            total=Decimal("0.36"),
        ),
        BillReturnedToDraft(
            **publication,
            xero_invoice_id=XERO_INVOICE_ID,
            xero_status=XeroInvoiceStatus.DRAFT,
            reason="Not our lease: the landlord billed the wrong tenant",
        ),
        AttachmentAdded(
            **publication,
            xero_invoice_id=XERO_INVOICE_ID,
            xero_attachment_id=UUID("5a500c1a-0e56-4a43-a4a1-5e3e0a5b6c7d"),
            attachment_kind=AttachmentKind.AUDIT_REPORT,
            file_name="audit-report-SUP-12345.pdf",
            media_type="application/pdf",
            size_bytes=20480,
        ),
        HistoryNotesAdded(**publication, xero_invoice_id=XERO_INVOICE_ID, notes=3),
        BillChangedInXero(
            **publication,
            xero_invoice_id=XERO_INVOICE_ID,
            differences=[
                XeroDifference(field="total", approved="0.36", now="3.60"),
                XeroDifference(field="lines[0].account_code", approved="429", now="400"),
            ],
            xero_status=XeroInvoiceStatus.AUTHORISED,
            xero_updated_at=AT,
            seen_by=ChangeSeenBy.WEBHOOK,
        ),
        BillAuthorisedOutsideCountersign(
            publication_id=UUID("6c0f7d1e-4f55-5b8e-9a51-3f1f0c2b7a10"),
            xero_invoice_id=UUID("0e6b3c5e-54cf-4a4f-9d0a-7b2f2f5c9e11"),
            invoice_number="RENT-2026-12",
            xero_contact_id=UUID("5b0d6b0e-2f3c-4d7a-8a8e-1c7e0c9d4a22"),
            contact_name="Northside Property Ltd",
            bill_date=date(2026, 12, 1),
            total=Decimal("1200.00"),
            currency="GBP",
            xero_status=XeroInvoiceStatus.AUTHORISED,
            repeating_invoice_id=UUID("428c0d75-909f-4b04-8403-a48dc27283b0"),
            xero_updated_at=AT,
            seen_by=ChangeSeenBy.POLL,
        ),
        LedgerBillRecorded(
            xero_invoice_id=UUID("0e6b3c5e-54cf-4a4f-9d0a-7b2f2f5c9e11"),
            invoice_number="RENT-2026-12",
            xero_contact_id=UUID("5b0d6b0e-2f3c-4d7a-8a8e-1c7e0c9d4a22"),
            contact_name="Northside Property Ltd",
            bill_date=date(2026, 12, 1),
            total=Decimal("1200.00"),
            currency="GBP",
            xero_status=XeroInvoiceStatus.AUTHORISED,
            publication_id=None,
            xero_updated_at=AT,
            seen_by=ChangeSeenBy.WEBHOOK,
        ),
        LedgerBillRemoved(
            xero_invoice_id=UUID("0e6b3c5e-54cf-4a4f-9d0a-7b2f2f5c9e11"),
            xero_status=XeroInvoiceStatus.VOIDED,
            xero_updated_at=AT + timedelta(days=1),
            seen_by=ChangeSeenBy.POLL,
        ),
        PaymentRecorded(
            **publication,
            xero_payment_id=UUID("b26fd49a-cbae-470a-a8f8-bcbc119e0379"),
            xero_invoice_id=XERO_INVOICE_ID,
            amount=Decimal("0.36"),
            currency="GBP",
            bank_account=BANK,
            paid_on=date(2026, 5, 2),
            xero_invoice_status=XeroInvoiceStatus.PAID,
        ),
        BankTransactionCreated(
            **spend,
            xero_bank_transaction_id=UUID("d20b6c54-7f5d-4ce6-ab83-55f609719126"),
            xero_status=XeroBankTransactionStatus.AUTHORISED,
            xero_contact_id=XERO_CONTACT_ID,
            bank_account=BANK,
            currency="EUR",
            total=Decimal("20.00"),
        ),
        PublicationCompleted(**publication, xero_invoice_id=XERO_INVOICE_ID, xero_status="PAID"),
        PublicationFailed(
            **publication,
            step=PublicationStep.RECORD_PAYMENT,
            messages=["Payment amount exceeds the amount outstanding on this document"],
            retryable=False,
            attempt=1,
            http_status=400,
            xero_invoice_id=XERO_INVOICE_ID,
        ),
        PublicationCancelled(
            **publication,
            cancelled_by_name="Fiona Finance",
            reason="Entered by hand in Xero instead",
            cancelled_at=AT,
        ),
        SupplierSynced(
            xero_contact_id=XERO_CONTACT_ID,
            name="Paper and Co Limited",
            status=ContactStatus.ACTIVE,
            tax_number="GB123456789",
            default_currency="GBP",
            purchases_default_account_code="429",
            xero_updated_at=AT,
        ),
        OrganisationRegistered(**organisation),
        OrganisationUpdated(**{**organisation, "xero_tenant_id": UUID(int=7)}),
        LedgerConnectionChanged(
            organisation_id=ORGANISATION_ID,
            ledger="xero",
            status=LedgerConnectionStatus.NEEDS_RECONNECT,
            tenant_id="0190f1c5-3333-7c00-8000-000000000003",
            tenant_name="Paper and Co Limited",
            reason="invalid_grant",
            changed_at=AT,
        ),
        master_data(),
        UserAdded(
            organisation_id=ORGANISATION_ID,
            user=DEPUTY_REF,
            roles=["approver"],
            added_at=AT,
        ),
        UserChanged(
            organisation_id=ORGANISATION_ID,
            user=DEPUTY_REF,
            roles=["admin", "approver"],
            changed_at=AT,
        ),
        UserRemoved(organisation_id=ORGANISATION_ID, user=DEPUTY_REF, removed_at=AT),
        AbsenceSet(
            organisation_id=ORGANISATION_ID,
            user=DIRECTOR_REF,
            substitute=DEPUTY_REF,
            starts_at=AT,
            ends_at=AT + timedelta(days=7),
            set_by=DIRECTOR_REF.user_id,
            set_at=AT,
        ),
        AbsenceCleared(
            organisation_id=ORGANISATION_ID,
            user=DIRECTOR_REF,
            cleared_by=DIRECTOR_REF.user_id,
            cleared_at=AT,
        ),
    ]
    examples += xero_bill_examples()
    return {example.event_type: example for example in examples}


def xero_bill(**changes: Any) -> XeroBill:
    """A bill a capture tool submitted in Xero, as the publisher pulls it."""
    line = XeroBillLine(
        line_item_id=UUID(int=11),
        description="Printer paper, 5 reams",
        quantity=Decimal("5"),
        unit_amount=Decimal("4.00"),
        account_code="429",
        tax_type="INPUT2",
        tax_amount=Decimal("4.00"),
        line_amount=Decimal("20.00"),
        tracking=[TrackingSelection(category="Region", option="North")],
    )
    fields: dict[str, Any] = {
        "supplier": Supplier(name="Paper and Co Limited", xero_contact_id=XERO_CONTACT_ID),
        "invoice_number": "SUP-12345",
        "issue_date": date(2026, 5, 1),
        "due_date": date(2026, 5, 31),
        "currency": "GBP",
        "line_amount_type": LineAmountType.EXCLUSIVE,
        "lines": [line],
        "subtotal": Decimal("20.00"),
        "total_tax": Decimal("4.00"),
        "total": Decimal("24.00"),
        "has_attachments": True,
    }
    return XeroBill(**{**fields, **changes})


def xero_bill_examples() -> list[EventPayload]:
    pulled = {"xero_invoice_id": XERO_INVOICE_ID, "xero_updated_at": AT}
    return [
        BillSubmittedInXero(**pulled, seen_by=ChangeSeenBy.WEBHOOK, version=1, bill=xero_bill()),
        BillLeftSubmittedInXero(
            **pulled, seen_by=ChangeSeenBy.POLL, xero_status=XeroInvoiceStatus.DELETED
        ),
    ]


def master_data() -> LedgerMasterDataSynced:
    active = MasterDataStatus.ACTIVE
    return LedgerMasterDataSynced(
        organisation_id=ORGANISATION_ID,
        tenant_id="0190f1c5-3333-7c00-8000-000000000003",
        base_currency="GBP",
        currencies=["GBP", "EUR"],
        period_lock_date=date(2026, 3, 31),
        accounts=[
            LedgerAccount(
                account_id=UUID(int=90),
                code="090",
                name="Business Bank Account",
                type="BANK",
                account_class=AccountClass.ASSET,
                status=active,
                tax_type="NONE",
                enable_payments_to_account=True,
                bank_account_number="12345678",
                bank_account_type="BANK",
                currency_code="GBP",
            ),
            LedgerAccount(
                account_id=UUID(int=429),
                code="429",
                name="General Expenses",
                type="OVERHEADS",
                account_class=AccountClass.EXPENSE,
                status=MasterDataStatus.ARCHIVED,
                tax_type="INPUT2",
            ),
        ],
        tax_rates=[
            LedgerTaxRate(
                tax_type="INPUT2",
                name="20% (VAT on Expenses)",
                status=active,
                effective_rate=Decimal("20.0000"),
                can_apply_to=[AccountClass.ASSET, AccountClass.EXPENSE],
            )
        ],
        tracking_categories=[
            LedgerTrackingCategory(
                tracking_category_id=UUID(int=1),
                name="Region",
                status=active,
                options=[
                    LedgerTrackingOption(
                        tracking_option_id=UUID(int=2), name="North", status=active
                    )
                ],
            )
        ],
        synced_at=AT,
    )


@pytest.fixture
def examples() -> dict[str, EventPayload]:
    """One realistic payload per event type, by event type."""
    return all_examples()


@pytest.fixture
def make_bill() -> Callable[..., Bill]:
    """Builds the example bill, with any fields replaced."""
    return bill


@pytest.fixture
def wrap() -> Callable[..., Envelope[Any]]:
    """Wraps a payload in a new envelope of the example organisation and journey."""

    def wrap(payload: EventPayload, **changes: Any) -> Envelope[Any]:
        fields: dict[str, Any] = {
            "organisation_id": ORGANISATION_ID,
            "correlation_id": CORRELATION_ID,
            "producer": "ingest",
        }
        return new_envelope(payload, **{**fields, **changes})

    return wrap
