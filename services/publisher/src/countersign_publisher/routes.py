"""Which handler reacts to which event."""

from countersign_contracts import APPROVAL_REQUESTS, BANK_TRANSACTIONS
from countersign_platform.consumer import Subscription

from countersign_publisher.handlers import (
    record_bank_transaction,
    record_publication,
    retry_publication,
)

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (
    Subscription(
        APPROVAL_REQUESTS,
        "publisher",
        {"RequestAuthorised": record_publication, "PublicationRetryRequested": retry_publication},
    ),
    Subscription(
        BANK_TRANSACTIONS, "publisher", {"BankTransactionSubmitted": record_bank_transaction}
    ),
)
