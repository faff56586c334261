"""Which handler reacts to which event."""

from countersign_contracts import APPROVAL_REQUESTS
from countersign_platform.consumer import Subscription

from countersign_publisher.handlers import record_publication

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (
    Subscription(APPROVAL_REQUESTS, "publisher", {"RequestAuthorised": record_publication}),
)
