"""Which handler reacts to which event."""

from countersign_contracts import APPROVAL_REQUESTS, LEDGER_PUBLICATIONS, LEDGER_SUPPLIERS
from countersign_platform.consumer import Subscription

from countersign_ingest.progress import (
    STATUS_NEWS,
    record_progress,
    record_republish_refused,
    record_supplier,
    record_withdrawal_refused,
)

__all__ = ["SUBSCRIPTIONS"]

_REQUEST_NEWS = (
    "RequestOpened",
    "RequestStepDecided",
    "RequestAuthorised",
    "RequestRejected",
    "RequestCancelled",
)
_PUBLICATION_NEWS = tuple(name for name in STATUS_NEWS if name not in _REQUEST_NEWS)

SUBSCRIPTIONS = (
    Subscription(
        APPROVAL_REQUESTS,
        "ingest",
        {
            **dict.fromkeys(_REQUEST_NEWS, record_progress),
            "RepublishRefused": record_republish_refused,
            "WithdrawalRefused": record_withdrawal_refused,
        },
    ),
    Subscription(LEDGER_PUBLICATIONS, "ingest", dict.fromkeys(_PUBLICATION_NEWS, record_progress)),
    Subscription(LEDGER_SUPPLIERS, "ingest", {"SupplierSynced": record_supplier}),
)
