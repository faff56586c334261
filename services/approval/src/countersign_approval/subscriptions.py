"""Which handler reacts to which event."""

from countersign_contracts import (
    COST_ITEMS,
    LEDGER_MASTER_DATA,
    LEDGER_PUBLICATIONS,
    LEDGER_XERO_BILLS,
    BillAuthorised,
    BillChangedInXero,
    BillCreated,
    BillLeftSubmittedInXero,
    BillSubmittedInXero,
    CostItemSubmitted,
    CostItemWithdrawn,
    LedgerMasterDataSynced,
    PublicationCancelled,
    PublicationCompleted,
    PublicationFailed,
)
from countersign_platform.subscription import On, Subscription

from countersign_approval.handlers.intake import open_request, withdraw_item
from countersign_approval.handlers.ledger import (
    bill_changed_in_xero,
    bill_created,
    publication_cancelled,
    publication_completed,
    publication_failed,
)
from countersign_approval.handlers.master_data import master_data_synced
from countersign_approval.handlers.pulled_bills import bill_left_submitted, bill_submitted

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (
    Subscription(
        COST_ITEMS,
        "approval",
        On(CostItemSubmitted, open_request),
        On(CostItemWithdrawn, withdraw_item),
    ),
    Subscription(
        LEDGER_PUBLICATIONS,
        "approval",
        On(BillCreated, bill_created),
        On(BillAuthorised, bill_created),
        On(PublicationCompleted, publication_completed),
        On(PublicationFailed, publication_failed),
        On(PublicationCancelled, publication_cancelled),
        On(BillChangedInXero, bill_changed_in_xero),
    ),
    Subscription(LEDGER_MASTER_DATA, "approval", On(LedgerMasterDataSynced, master_data_synced)),
    Subscription(
        LEDGER_XERO_BILLS,
        "approval",
        On(BillSubmittedInXero, bill_submitted),
        On(BillLeftSubmittedInXero, bill_left_submitted),
    ),
)
