"""What a server that is down, restarting or still starting answers with: the errors that mean
"try again shortly", never "this request or event is bad". Consumers retry them without counting
tries (an outage must not empty a topic into the dead-letter queue), services wait for them at
startup, and the HTTP API turns them into a 503 instead of a 500."""

from __future__ import annotations

import asyncpg
from aiokafka.errors import KafkaConnectionError

__all__ = ["DATABASE_UNAVAILABLE", "INFRASTRUCTURE_UNAVAILABLE"]

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
