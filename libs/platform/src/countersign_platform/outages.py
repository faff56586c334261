"""What a server that is down, restarting or still starting answers with: the errors that mean
"try again shortly", never "this request or event is bad". Consumers retry them without counting
tries (an outage must not empty a topic into the dead-letter queue), services wait for them at
startup, and the HTTP API turns them into a 503 instead of a 500."""

from __future__ import annotations

import asyncpg
from aiokafka.errors import KafkaConnectionError

__all__ = ["DATABASE_UNAVAILABLE", "INFRASTRUCTURE_UNAVAILABLE", "database_unavailable"]

DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    # "the database system is starting up / shutting down"
    asyncpg.CannotConnectNowError,
    # A server shutting down (a restart, a failover) ends the transactions in flight with these.
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.InterfaceError,  # e.g. a pooled connection the server closed
    ConnectionError,
    OSError,  # refused, reset, unreachable
)

INFRASTRUCTURE_UNAVAILABLE: tuple[type[Exception], ...] = (
    *DATABASE_UNAVAILABLE,
    KafkaConnectionError,
)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database is away, including the one case asyncpg does not
    report as a connection error: a pooled connection that was idle when the server shut down
    received its "terminating connection" error outside any query, and asyncpg refuses the
    next query on it with an ``InternalClientError`` naming its error-consuming state (2).
    Releasing that connection fails its reset, so the pool closes it and a retry gets a new one.
    """
    if isinstance(exc, DATABASE_UNAVAILABLE):
        return True
    return isinstance(exc, asyncpg.InternalClientError) and "another operation (2)" in str(exc)
