"""Which handler reacts to which event."""

from countersign_contracts import COST_ITEMS, LEDGER_PUBLICATIONS
from countersign_platform.consumer import Subscription

from countersign_approval.handlers.intake import open_request, withdraw_item
from countersign_approval.handlers.ledger import (
    bill_created,
    publication_completed,
    publication_failed,
)

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (
    Subscription(
        COST_ITEMS,
        "approval",
        {"CostItemSubmitted": open_request, "CostItemWithdrawn": withdraw_item},
    ),
    Subscription(
        LEDGER_PUBLICATIONS,
        "approval",
        {
            "BillCreated": bill_created,
            "PublicationCompleted": publication_completed,
            "PublicationFailed": publication_failed,
        },
    ),
)
