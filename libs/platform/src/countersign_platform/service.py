"""The one way a Countersign service is put together.

    settings ─▶ tracing (OTEL_*; off by default, tracing.py) ─▶ migrate schema ─▶ asyncpg pool
    ─▶ Kafka admin (readiness) ─▶ a consumer per consumer group (kafka_consumer.py) ─▶
    idempotent producer that renews itself (producer.py) ─▶ outbox relay ─▶ the access-token
    verifier ─▶ the service's own parts ─▶ FastAPI app (its routers + web.py's health,
    readiness and metrics)

Everything started is stopped in the reverse order (one ``AsyncExitStack``), so a service's
parts stop while the pool, the relay and the consumers are still up. A service's ``app.py``
calls ``build_app`` with its spec (spec.py), its settings, its routers and, when it has state
or background work of its own, a ``parts`` factory: an async context manager built from the
running platform, whose value request handlers reach as ``runtime.parts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, FastAPI

from countersign_platform.access import AccessVerifier, KeySet, SigningKeys
from countersign_platform.body_deadline import BodyDeadline
from countersign_platform.client_tls import client_tls
from countersign_platform.consumer import EventConsumer
from countersign_platform.db_tracing import trace_statements
from countersign_platform.kafka_consumer import GroupConsumer
from countersign_platform.migrations import migrate
from countersign_platform.outages import INFRASTRUCTURE_UNAVAILABLE
from countersign_platform.outbox import OutboxRelay
from countersign_platform.problems import install_problem_handlers
from countersign_platform.producer import RenewingProducer
from countersign_platform.published_keys import PublishedKeys
from countersign_platform.runtime import Runtime
from countersign_platform.settings import ServiceSettings
from countersign_platform.spec import ServiceSpec
from countersign_platform.stopping import bounded, close_pool
from countersign_platform.subscription import Subscription
from countersign_platform.telemetry import configure_logging
from countersign_platform.topics import dead_letter_topics, ensure_topics
from countersign_platform.tracing import configure_tracing, shutdown_tracing
from countersign_platform.web import (
    RequestTiming,
    RequestTracing,
    health_router,
    require_strict_json,
)

__all__ = ["Parts", "build_app"]

log = logging.getLogger(__name__)

T = TypeVar("T")

Parts = Callable[[Runtime[None]], contextlib.AbstractAsyncContextManager[Any]]
"""A service's own components, built on the running platform and torn down before it."""


async def _once_reachable(what: str, attempt: Callable[[], Awaitable[T]], wait_s: float) -> T:
    """``attempt()`` retried every second while ``what`` is unreachable, for up to ``wait_s``.

    A service (re)started while the broker or the database is restarting waits for it, as its
    consumers and relay do once running, instead of exiting and staying down."""
    give_up = time.monotonic() + wait_s
    while True:
        try:
            return await attempt()
        except INFRASTRUCTURE_UNAVAILABLE as exc:
            if time.monotonic() >= give_up:
                raise
            log.warning("%s unreachable at startup (%s); retrying", what, type(exc).__name__)
            await asyncio.sleep(1.0)


def _group_consumers(
    spec: ServiceSpec, settings: ServiceSettings, consumer: EventConsumer
) -> list[GroupConsumer]:
    groups: dict[str, list[Subscription]] = {}
    for subscription in spec.consumes:
        groups.setdefault(subscription.group, []).append(subscription)
    return [
        GroupConsumer(
            consumer,
            subscriptions,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            topic_prefix=settings.kafka_topic_prefix,
            client_id=spec.name,
            max_records=settings.consumer_batch_size,
            fetch_min_bytes=settings.consumer_fetch_min_bytes,
            fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
            poll_timeout_ms=settings.consumer_poll_timeout_ms,
            linger_ms=settings.consumer_linger_ms,
            options=settings.kafka_security.client_options(),
        )
        for subscriptions in groups.values()
    ]


@dataclass(frozen=True)
class _Database:
    dsn: str
    schema: str
    server_settings: dict[str, str]

    async def connect(self) -> asyncpg.Connection:
        conn: asyncpg.Connection = await asyncpg.connect(
            self.dsn, server_settings=self.server_settings
        )
        return conn


async def _open_pool(
    stack: contextlib.AsyncExitStack, spec: ServiceSpec, settings: ServiceSettings, db: _Database
) -> asyncpg.Pool:
    wait_s = settings.startup_wait_s
    if settings.migrate_on_start:
        await _once_reachable(
            "postgres", lambda: migrate(db.dsn, db.schema, spec.migrations), wait_s
        )
    pool = await _once_reachable(
        "postgres",
        lambda: asyncpg.create_pool(
            db.dsn,
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            server_settings=db.server_settings,
            init=trace_statements,
        ),
        wait_s,
    )
    stack.push_async_callback(close_pool, pool)
    return pool


async def _start_kafka(
    stack: contextlib.AsyncExitStack,
    spec: ServiceSpec,
    settings: ServiceSettings,
    pool: asyncpg.Pool,
) -> tuple[AIOKafkaAdminClient, RenewingProducer]:
    """The topics ensured (also the proof that the broker answers), the admin client, the
    producer, then the consumers that dead-letter through it."""
    await _once_reachable(
        "kafka",
        lambda: ensure_topics(
            settings.kafka_bootstrap_servers,
            dead_letter_topics(
                ((s.topic, s.group) for s in spec.consumes), settings.kafka_topic_prefix
            ),
            replication=settings.kafka_replication_factor,
            options=settings.kafka_security.client_options(),
        ),
        settings.startup_wait_s,
    )
    kafka_admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=spec.name,
        **settings.kafka_security.client_options(),
    )
    await kafka_admin.start()
    stack.push_async_callback(bounded("the Kafka admin client", kafka_admin.close))
    producer = RenewingProducer(
        settings.kafka_bootstrap_servers,
        client_id=spec.name,
        options=settings.kafka_security.client_options(),
    )
    await producer.start()
    stack.push_async_callback(bounded("the Kafka producer", producer.stop))
    consumer = EventConsumer(
        pool,
        producer,
        max_attempts=settings.consumer_max_attempts,
        retry_backoff_s=settings.consumer_retry_backoff_s,
    )
    for group in _group_consumers(spec, settings, consumer):
        await group.start()
        stack.push_async_callback(bounded(f"consumer group {group.group_id}", group.stop))
    return kafka_admin, producer


async def _access(
    stack: contextlib.AsyncExitStack, settings: ServiceSettings, signing_keys: SigningKeys | None
) -> AccessVerifier | None:
    """The service that signs access tokens checks them with its own keys; every other one with
    the key set published at ``ACCESS_JWKS_URL``; without either, it accepts none."""
    keys: KeySet
    if signing_keys is not None:
        keys = signing_keys
    elif settings.access_jwks_url is not None:
        http = httpx.AsyncClient(timeout=5.0, verify=client_tls())
        stack.push_async_callback(http.aclose)
        keys = PublishedKeys(settings.access_jwks_url, http)
    else:
        return None
    return AccessVerifier(keys, issuer=settings.access_issuer, audience=settings.access_audience)


async def _start(
    stack: contextlib.AsyncExitStack,
    spec: ServiceSpec,
    settings: ServiceSettings,
    parts: Parts | None,
    signing_keys: SigningKeys | None,
) -> Runtime[Any]:
    schema = settings.db_schema or spec.schema
    db = _Database(
        settings.database_url.get_secret_value(),
        schema,
        {"search_path": schema, "application_name": spec.name},
    )
    pool = await _open_pool(stack, spec, settings, db)
    kafka_admin, producer = await _start_kafka(stack, spec, settings, pool)
    relay = OutboxRelay(
        pool,
        producer,
        schema=schema,
        connect=db.connect,
        topic_prefix=settings.kafka_topic_prefix,
        batch_size=settings.relay_batch_size,
        poll_interval_s=settings.relay_poll_interval_s,
        retention_hours=settings.relay_retention_hours,
        linger_s=settings.relay_linger_s,
    )
    await relay.start()
    stack.push_async_callback(bounded("the outbox relay", relay.stop))
    state: Runtime[Any] = Runtime(
        settings=settings,
        pool=pool,
        kafka_admin=kafka_admin,
        relay=relay,
        schema=schema,
        connect=db.connect,
        parts=None,
        access=await _access(stack, settings, signing_keys),
    )
    if parts is not None:
        state.parts = await stack.enter_async_context(parts(state))
    return state


def build_app(
    spec: ServiceSpec,
    settings: ServiceSettings,
    *,
    routers: Sequence[APIRouter] = (),
    version: str = "0.1.0",
    parts: Parts | None = None,
    signing_keys: SigningKeys | None = None,
) -> FastAPI:
    """The service's app. ``signing_keys``: the service issues access tokens itself (approval)
    and checks them with these keys, not through ``ACCESS_JWKS_URL``."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(spec.name, settings.log_level)
        async with contextlib.AsyncExitStack() as stack:
            stack.callback(log.info, "%s stopped", spec.name)
            if configure_tracing(spec.name):
                # Last out: what the stopping parts still trace is exported too.
                stack.callback(shutdown_tracing)
            app.state.runtime = await _start(stack, spec, settings, parts, signing_keys)
            log.info("%s started", spec.name)
            yield

    app = FastAPI(
        title=f"Countersign {spec.name}",
        description=spec.description,
        version=version,
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.state.max_json_body_bytes = settings.max_json_body_bytes

    # Added first, so inside the timing: a 408 for a slow body is timed and counted too.
    app.add_middleware(BodyDeadline, timeout_s=settings.body_timeout_s)
    app.add_middleware(RequestTiming)
    # Outermost: the timing and everything inside run in the request's span.
    app.add_middleware(RequestTracing)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    require_strict_json(app)
    return app
