"""What a running service's request handlers and background work may reach, set on
``app.state.runtime`` for the app's lifetime: the settings, the pool, the relay, a way to open
a connection of one's own, the service's own parts (``build_app(parts=...)``) and the verifier
of access tokens (``access_http.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import Request

from countersign_platform.access import AccessVerifier
from countersign_platform.loops import Connect
from countersign_platform.outbox import OutboxRelay
from countersign_platform.problems import Problem
from countersign_platform.settings import ServiceSettings

__all__ = ["Runtime", "runtime"]

T = TypeVar("T")


@dataclass
class Runtime(Generic[T]):
    settings: ServiceSettings
    pool: asyncpg.Pool
    kafka_admin: AIOKafkaAdminClient  # readiness: the broker answers
    relay: OutboxRelay
    schema: str
    connect: Connect  # a connection of its own on the schema (LISTEN for a background loop)
    parts: T  # the service's own components, as its ``parts`` factory built them
    access: AccessVerifier | None = None  # None: this service accepts no access tokens


async def runtime(request: Request) -> Runtime[Any]:
    """FastAPI dependency: the running service's runtime. A coroutine, as every dependency
    here is: FastAPI runs a plain function in its thread pool, a thread hop on every request."""
    value: Runtime[Any] | None = getattr(request.app.state, "runtime", None)
    if value is None:
        raise Problem(503, "starting", "Service is starting", "try again in a moment")
    return value
