"""A subscription names the events its topic carries, by payload class, once each; anything
else fails when the table is made — at the service's import, not at the first record."""

from typing import Any

import asyncpg
import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    BillCreated,
    Envelope,
    RequestAuthorised,
    RequestRejected,
)
from countersign_platform.subscription import On, Subscription


async def handle(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    pass


def test_handlers_are_found_by_the_event_type_the_records_name() -> None:
    table = Subscription(
        APPROVAL_REQUESTS, "g", On(RequestAuthorised, handle), On(RequestRejected, handle)
    )

    assert set(table.handlers) == {"RequestAuthorised", "RequestRejected"}
    assert table.events == (RequestAuthorised, RequestRejected)


def test_an_event_the_topic_does_not_carry_is_refused() -> None:
    with pytest.raises(ValueError, match=r"approval\.requests\.v1 does not carry BillCreated"):
        Subscription(APPROVAL_REQUESTS, "g", On(BillCreated, handle))


def test_an_unknown_topic_is_refused() -> None:
    with pytest.raises(ValueError, match="not a topic"):
        Subscription("approval.requests.v9", "g", On(RequestAuthorised, handle))


def test_an_event_named_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        Subscription(
            APPROVAL_REQUESTS, "g", On(RequestAuthorised, handle), On(RequestAuthorised, handle)
        )
