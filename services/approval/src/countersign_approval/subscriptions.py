"""Which handler reacts to which event."""

from countersign_contracts import (
    COST_ITEMS,
    LEDGER_PUBLICATIONS,
    BillCreated,
    CostItemSubmitted,
    CostItemWithdrawn,
    PublicationCancelled,
    PublicationCompleted,
    PublicationFailed,
)
from countersign_platform.subscription import On, Subscription

from countersign_approval.handlers.intake import open_request, withdraw_item
from countersign_approval.handlers.ledger import (
    bill_created,
    publication_cancelled,
    publication_completed,
    publication_failed,
)

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
        On(PublicationCompleted, publication_completed),
        On(PublicationFailed, publication_failed),
        On(PublicationCancelled, publication_cancelled),
    ),
)
