"""Which handler reacts to which event."""

from countersign_contracts import (
    APPROVAL_REQUESTS,
    BANK_TRANSACTIONS,
    ORGANISATIONS,
    BankTransactionSubmitted,
    OrganisationRegistered,
    OrganisationUpdated,
    PublicationCancelRequested,
    PublicationRetryRequested,
    RequestAuthorised,
    RequestRejected,
)
from countersign_platform.subscription import On, Subscription

from countersign_publisher.handlers.intake import (
    record_bank_transaction,
    record_publication,
    record_rejection,
)
from countersign_publisher.handlers.publications import cancel_publication, retry_publication
from countersign_publisher.handlers.pulled_bills import record_organisation_settings

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (
    Subscription(
        APPROVAL_REQUESTS,
        "publisher",
        On(RequestAuthorised, record_publication),
        On(RequestRejected, record_rejection),
        On(PublicationRetryRequested, retry_publication),
        On(PublicationCancelRequested, cancel_publication),
    ),
    Subscription(
        BANK_TRANSACTIONS,
        "publisher",
        On(BankTransactionSubmitted, record_bank_transaction),
    ),
    Subscription(
        ORGANISATIONS,
        "publisher",
        On(OrganisationRegistered, record_organisation_settings),
        On(OrganisationUpdated, record_organisation_settings),
    ),
)
