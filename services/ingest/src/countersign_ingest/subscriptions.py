"""Which handler reacts to which event."""

from countersign_contracts import (
    APPROVAL_REQUESTS,
    LEDGER_BILLS,
    LEDGER_MASTER_DATA,
    LEDGER_PUBLICATIONS,
    LEDGER_SUPPLIERS,
    ORGANISATIONS,
    LedgerBillRecorded,
    LedgerBillRemoved,
    LedgerMasterDataSynced,
    OrganisationRegistered,
    OrganisationUpdated,
    RepublishRefused,
    SupplierSynced,
    WithdrawalRefused,
)
from countersign_platform.subscription import On, Subscription

from countersign_ingest.domain.news import PUBLICATION_NEWS, REQUEST_NEWS
from countersign_ingest.handlers.duplicates import record_organisation_settings
from countersign_ingest.handlers.ledger_bills import record_ledger_bill, remove_ledger_bill
from countersign_ingest.handlers.ledger_entries import record_master_data
from countersign_ingest.handlers.progress import (
    record_progress,
    record_republish_refused,
    record_withdrawal_refused,
)
from countersign_ingest.handlers.suppliers import record_supplier

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (
    Subscription(
        APPROVAL_REQUESTS,
        "ingest",
        *(On(news, record_progress) for news in REQUEST_NEWS),
        On(RepublishRefused, record_republish_refused),
        On(WithdrawalRefused, record_withdrawal_refused),
    ),
    Subscription(
        LEDGER_PUBLICATIONS, "ingest", *(On(news, record_progress) for news in PUBLICATION_NEWS)
    ),
    Subscription(LEDGER_SUPPLIERS, "ingest", On(SupplierSynced, record_supplier)),
    Subscription(
        ORGANISATIONS,
        "ingest",
        On(OrganisationRegistered, record_organisation_settings),
        On(OrganisationUpdated, record_organisation_settings),
    ),
    Subscription(LEDGER_MASTER_DATA, "ingest", On(LedgerMasterDataSynced, record_master_data)),
    Subscription(
        LEDGER_BILLS,
        "ingest",
        On(LedgerBillRecorded, record_ledger_bill),
        On(LedgerBillRemoved, remove_ledger_bill),
    ),
)
