"""Which errors mean "the database is away" (retried without counting a try) and which are the
event's own (counted, then dead-lettered)."""

import asyncpg
import pytest
from countersign_platform.outages import database_unavailable


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.InterfaceError("connection is closed"),
        ConnectionRefusedError(111, "Connect call failed"),
        # What asyncpg raises for the next query on a pooled connection that was idle when the
        # server announced its shutdown (met by the database-restart integration test).
        asyncpg.InternalClientError(
            "cannot switch to state 15; another operation (2) is in progress"
        ),
    ],
)
def test_outages_are_recognised(error: BaseException) -> None:
    assert database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),
        asyncpg.InternalClientError(
            "cannot switch to state 15; another operation (12) is in progress"
        ),
        ValueError("bad payload"),
    ],
)
def test_an_events_own_failure_is_not_an_outage(error: BaseException) -> None:
    assert not database_unavailable(error)
