"""Which handler reacts to which event: the notifier reads the public request events only."""

from countersign_contracts import (
    APPROVAL_REQUESTS,
    RequestAuthorised,
    RequestOpened,
    RequestPublicationUpdated,
    RequestRejected,
    RequestStepDecided,
    RequestStepEscalated,
    RequestStepOverdue,
)
from countersign_platform.subscription import On, Subscription

from countersign_notifier.handlers.events import (
    remember_authorised,
    tell_decided,
    tell_escalated,
    tell_opened,
    tell_overdue,
    tell_published,
    tell_rejected,
)

__all__ = ["SUBSCRIPTIONS"]

SUBSCRIPTIONS = (
    Subscription(
        APPROVAL_REQUESTS,
        "notifier",
        On(RequestOpened, tell_opened),
        On(RequestStepDecided, tell_decided),
        On(RequestStepEscalated, tell_escalated),
        On(RequestStepOverdue, tell_overdue),
        On(RequestAuthorised, remember_authorised),
        On(RequestRejected, tell_rejected),
        On(RequestPublicationUpdated, tell_published),
    ),
)
