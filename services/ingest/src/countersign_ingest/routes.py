"""Which handler reacts to which event."""

from countersign_contracts import APPROVAL_REQUESTS
from countersign_platform.consumer import Subscription

from countersign_ingest.handlers import record_request_progress

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (
    Subscription(
        APPROVAL_REQUESTS,
        "ingest",
        {
            "RequestOpened": record_request_progress,
            "RequestAuthorised": record_request_progress,
            "RequestRejected": record_request_progress,
        },
    ),
)
