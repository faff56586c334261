"""The topic table: which events travel on which topic, at which version, keyed by what, and
which service alone produces them (its consumers check that, ADR 0061).

The topic name carries the major version (`.v1`). `version` is the current `major.minor` that
producers stamp on each envelope; bump the minor when adding optional fields. A breaking change
needs a new topic (`.v2`) with its own entry here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from countersign_contracts._approvals import (
    PublicationCancelRequested,
    PublicationRetryRequested,
    RequestApproverReassigned,
    RequestAuthorised,
    RequestCancelled,
    RequestOpened,
    RequestPublicationUpdated,
    RequestRejected,
    RequestStepDeadlineApproaching,
    RequestStepDecided,
    RequestStepEscalated,
    RequestStepOverdue,
    RequestSuperseded,
)
from countersign_contracts._base import EventPayload
from countersign_contracts._connections import LedgerConnectionChanged
from countersign_contracts._dext import (
    BankTransactionSubmitted,
    CostItemSubmitted,
    CostItemWithdrawn,
)
from countersign_contracts._ledger import (
    AttachmentAdded,
    BankTransactionCreated,
    BillAuthorisedOutsideCountersign,
    BillChangedInXero,
    BillCreated,
    HistoryNotesAdded,
    PaymentRecorded,
    PublicationCancelled,
    PublicationCompleted,
    PublicationFailed,
)
from countersign_contracts._ledger_bills import LedgerBillRecorded, LedgerBillRemoved
from countersign_contracts._master_data import LedgerMasterDataSynced
from countersign_contracts._organisations import OrganisationRegistered, OrganisationUpdated
from countersign_contracts._people import (
    AbsenceCleared,
    AbsenceSet,
    UserAdded,
    UserChanged,
    UserRemoved,
)
from countersign_contracts._refusals import RepublishRefused, WithdrawalRefused
from countersign_contracts._suppliers import SupplierSynced
from countersign_contracts._xero_bills import (
    BillAuthorised,
    BillLeftSubmittedInXero,
    BillReturnedToDraft,
    BillSubmittedInXero,
)

COST_ITEMS = "dext.cost-items.v1"
BANK_TRANSACTIONS = "dext.bank-transactions.v1"
APPROVAL_REQUESTS = "approval.requests.v1"
ORGANISATIONS = "approval.organisations.v1"
PEOPLE = "approval.people.v1"
LEDGER_PUBLICATIONS = "ledger.publications.v1"
LEDGER_SUPPLIERS = "ledger.suppliers.v1"
LEDGER_CONNECTIONS = "ledger.connections.v1"
LEDGER_MASTER_DATA = "ledger.master-data.v1"
LEDGER_XERO_BILLS = "ledger.xero-bills.v1"
LEDGER_BILLS = "ledger.bills.v1"


@dataclass(frozen=True)
class Topic:
    """One topic: its producer, its events, its current version and what its key identifies."""

    name: str
    producer: str  # the one service that writes it: the envelope's producer, ce_source
    version: str
    aggregate: str
    subject_field: str
    event_types: Mapping[str, type[EventPayload]] = field(repr=False)

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


def _topic(
    name: str,
    producer: str,
    version: str,
    aggregate: str,
    subject_field: str,
    *events: type[EventPayload],
) -> Topic:
    for event in events:
        if subject_field not in event.model_fields:
            raise TypeError(f"{event.__name__} on {name} lacks its subject field {subject_field}")
    return Topic(
        name=name,
        producer=producer,
        version=version,
        aggregate=aggregate,
        subject_field=subject_field,
        event_types=MappingProxyType({event.event_type: event for event in events}),
    )


TOPICS: Mapping[str, Topic] = MappingProxyType(
    {
        topic.name: topic
        for topic in (
            _topic(
                COST_ITEMS,
                "ingest",
                "1.2",
                "a Dext cost item (bill, receipt, expense report), across its versions",
                "dext_item_id",
                CostItemSubmitted,
                CostItemWithdrawn,
            ),
            _topic(
                BANK_TRANSACTIONS,
                "ingest",
                "1.0",
                "a Dext item published to a bank account",
                "dext_item_id",
                BankTransactionSubmitted,
            ),
            _topic(
                APPROVAL_REQUESTS,
                "approval",
                "1.11",
                "an approval request for one cost item version",
                "request_id",
                RequestOpened,
                RequestStepDecided,
                RequestStepDeadlineApproaching,
                RequestStepOverdue,
                RequestStepEscalated,
                RequestApproverReassigned,
                RequestAuthorised,
                RequestRejected,
                RequestSuperseded,
                RequestCancelled,
                RequestPublicationUpdated,
                PublicationRetryRequested,
                PublicationCancelRequested,
                RepublishRefused,
                WithdrawalRefused,
            ),
            _topic(
                ORGANISATIONS,
                "approval",
                "1.2",
                "a Countersign organisation",
                "organisation_id",
                OrganisationRegistered,
                OrganisationUpdated,
            ),
            _topic(
                PEOPLE,
                "approval",
                "1.1",
                "an organisation's people (users and their absences)",
                "organisation_id",
                UserAdded,
                UserChanged,
                UserRemoved,
                AbsenceSet,
                AbsenceCleared,
            ),
            _topic(
                LEDGER_PUBLICATIONS,
                "publisher",
                "1.6",
                "one publication of an item to Xero (a bill or a bank transaction)",
                "publication_id",
                BillCreated,
                AttachmentAdded,
                HistoryNotesAdded,
                PaymentRecorded,
                BankTransactionCreated,
                PublicationCompleted,
                PublicationFailed,
                PublicationCancelled,
                BillChangedInXero,
                BillAuthorisedOutsideCountersign,
                BillAuthorised,
                BillReturnedToDraft,
            ),
            _topic(
                LEDGER_BILLS,
                "publisher",
                "1.1",
                "a bill (ACCPAY) in an organisation's Xero, whoever entered it",
                "xero_invoice_id",
                LedgerBillRecorded,
                LedgerBillRemoved,
            ),
            _topic(
                LEDGER_SUPPLIERS,
                "publisher",
                "1.1",
                "a Xero contact that is a supplier",
                "xero_contact_id",
                SupplierSynced,
            ),
            _topic(
                LEDGER_CONNECTIONS,
                "publisher",
                "1.0",
                "an organisation's connection to its ledger",
                "organisation_id",
                LedgerConnectionChanged,
            ),
            _topic(
                LEDGER_MASTER_DATA,
                "publisher",
                "1.1",
                "an organisation's master data in its ledger (accounts, tax rates, tracking)",
                "organisation_id",
                LedgerMasterDataSynced,
            ),
            _topic(
                LEDGER_XERO_BILLS,
                "publisher",
                "1.0",
                "a bill submitted in Xero, pulled for approval (via-Xero mode)",
                "xero_invoice_id",
                BillSubmittedInXero,
                BillLeftSubmittedInXero,
            ),
        )
    }
)
"""Every topic by name."""

_TOPIC_OF_EVENT: Mapping[type[EventPayload], Topic] = MappingProxyType(
    {event: topic for topic in TOPICS.values() for event in topic.event_types.values()}
)


def topic_for(payload: EventPayload | type[EventPayload]) -> Topic:
    """The topic an event type is published on."""
    event = payload if isinstance(payload, type) else type(payload)
    try:
        return _TOPIC_OF_EVENT[event]
    except KeyError:
        raise LookupError(f"{event.__name__} is not published on any topic") from None


def dlq_topic(topic: str, group: str) -> str:
    """The dead-letter topic where consumer group `group` parks what it cannot process."""
    return f"{topic}.dlq.{group}"
