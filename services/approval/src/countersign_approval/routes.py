"""Which handler reacts to which event."""

from countersign_contracts import COST_ITEMS
from countersign_platform.consumer import Subscription

from countersign_approval.handlers import open_request

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (Subscription(COST_ITEMS, "approval", {"CostItemSubmitted": open_request}),)
