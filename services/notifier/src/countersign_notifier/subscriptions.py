"""Which handler reacts to which event: the request events (approval.requests.v1), the
organisation's people (approval.people.v1, for the admins' and substitutes' addresses), the
ledger connections (ledger.connections.v1) and bills changed in Xero after approval or
authorised there without approval (ledger.publications.v1), to tell the admins."""

from countersign_contracts import (
    APPROVAL_REQUESTS,
    LEDGER_CONNECTIONS,
    LEDGER_PUBLICATIONS,
    PEOPLE,
    AbsenceSet,
    BillAuthorisedOutsideCountersign,
    BillChangedInXero,
    LedgerConnectionChanged,
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
    UserAdded,
    UserChanged,
    UserRemoved,
)
from countersign_platform.subscription import On, Subscription

from countersign_notifier.handlers.events import (
    forget_awaiting,
    remember_authorised,
    tell_deadline_approaching,
    tell_decided,
    tell_escalated,
    tell_opened,
    tell_overdue,
    tell_published,
    tell_reassigned,
    tell_rejected,
)
from countersign_notifier.handlers.people import (
    forget_user,
    remember_user,
    tell_admins,
    tell_admins_bill_bypassed,
    tell_admins_bill_changed,
    tell_substitute,
)

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (
    Subscription(
        APPROVAL_REQUESTS,
        "notifier",
        On(RequestOpened, tell_opened),
        On(RequestStepDecided, tell_decided),
        On(RequestStepDeadlineApproaching, tell_deadline_approaching),
        On(RequestStepEscalated, tell_escalated),
        On(RequestStepOverdue, tell_overdue),
        On(RequestApproverReassigned, tell_reassigned),
        On(RequestAuthorised, remember_authorised),
        On(RequestRejected, tell_rejected),
        On(RequestSuperseded, forget_awaiting),
        On(RequestCancelled, forget_awaiting),
        On(RequestPublicationUpdated, tell_published),
    ),
    Subscription(
        PEOPLE,
        "notifier",
        On(UserAdded, remember_user),
        On(UserChanged, remember_user),
        On(UserRemoved, forget_user),
        On(AbsenceSet, tell_substitute),
    ),
    Subscription(
        LEDGER_CONNECTIONS,
        "notifier",
        On(LedgerConnectionChanged, tell_admins),
    ),
    Subscription(
        LEDGER_PUBLICATIONS,
        "notifier",
        On(BillChangedInXero, tell_admins_bill_changed),
        On(BillAuthorisedOutsideCountersign, tell_admins_bill_bypassed),
    ),
)
