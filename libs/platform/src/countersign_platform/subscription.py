"""A consumer group's table of which handler reacts to which event of a topic, checked against
the topic's contract when it is made.

    SUBSCRIPTIONS = (
        Subscription(APPROVAL_REQUESTS, "publisher", On(RequestAuthorised, record_publication)),
    )
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import asyncpg
from countersign_contracts import TOPICS, Envelope, EventPayload

__all__ = ["EventHandler", "On", "Subscription"]

EventHandler = Callable[[asyncpg.Connection, Envelope[Any]], Awaitable[None]]

P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class On(Generic[P]):
    """One event type and its handler, which receives the envelope with that payload type:
    ``On(RequestAuthorised, record_publication)`` type-checks ``record_publication``'s
    signature against ``Envelope[RequestAuthorised]``."""

    event: type[P]
    handler: Callable[[asyncpg.Connection, Envelope[P]], Awaitable[None]]


class Subscription:
    """A consumer group's interest in one topic: which handler runs for which event type.

    Naming an event the topic's contract does not carry fails when the subscription is made
    (at import of the service's table), not when the first record arrives. Event types the
    topic carries but the table does not name are acknowledged and skipped (known from the
    record's ``ce_type`` header when it has one, else from its decoded body).
    """

    __slots__ = ("events", "group", "handlers", "producer", "topic")

    def __init__(self, topic: str, group: str, *routes: On[Any]) -> None:
        contract = TOPICS.get(topic)
        if contract is None:
            raise ValueError(f"{topic!r} is not a topic of the contracts")
        carried = set(contract.event_types.values())
        foreign = [r.event.__name__ for r in routes if r.event not in carried]
        if foreign:
            raise ValueError(f"{topic} does not carry {', '.join(foreign)}")
        names = [r.event.event_type for r in routes]
        if len(set(names)) != len(names):
            raise ValueError(f"{group} names an event of {topic} twice")
        self.topic = topic
        self.group = group
        # The one service that writes the topic: records from anyone else are not handled.
        self.producer = contract.producer
        self.events: tuple[type[EventPayload], ...] = tuple(r.event for r in routes)
        # By name: what a record's ``ce_type`` header and its envelope say.
        self.handlers: Mapping[str, EventHandler] = MappingProxyType(
            {r.event.event_type: r.handler for r in routes}
        )
