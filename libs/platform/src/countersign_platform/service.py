"""The one way a Countersign service is put together.

    settings ─▶ migrate schema ─▶ asyncpg pool ─▶ a Kafka consumer per consumer group
    (kafka_consumer.py: one poll loop, one offset commit per batch) ─▶ idempotent producer that
    renews itself (producer.py) ─▶ outbox relay ─▶ FastAPI app (the service's routers + health,
    readiness and metrics)

A service describes itself with a ``ServiceSpec`` (name, migrations, what it consumes and
produces) registered under the ``countersign.services`` entry point, so the migration and topic
commands and the AsyncAPI generator find every installed service without a list to maintain.
Its ``app.py`` calls ``build_app`` with the spec, its settings and its HTTP routers.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypeVar

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.routing import APIRoute, iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from countersign_platform.body_deadline import BodyDeadline
from countersign_platform.consumer import EventConsumer, Subscription
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.kafka_consumer import GroupConsumer
from countersign_platform.loops import Connect
from countersign_platform.migrations import migrate
from countersign_platform.outages import INFRASTRUCTURE_UNAVAILABLE
from countersign_platform.outbox import OutboxRelay
from countersign_platform.problems import Problem, install_problem_handlers
from countersign_platform.producer import RenewingProducer
from countersign_platform.settings import ServiceSettings
from countersign_platform.telemetry import HTTP_LATENCY, configure_logging
from countersign_platform.topics import dead_letter_topics, ensure_topics

__all__ = ["Runtime", "ServiceSpec", "build_app", "installed_services", "runtime"]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "countersign.services"

T = TypeVar("T")


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    description: str
    migrations: Path
    consumes: tuple[Subscription, ...] = ()
    produces: tuple[str, ...] = ()

    @property
    def schema(self) -> str:
        return self.name


def installed_services() -> dict[str, ServiceSpec]:
    specs = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        spec = entry.load()
        if not isinstance(spec, ServiceSpec):
            raise TypeError(f"entry point {entry.name} is not a ServiceSpec")
        specs[spec.name] = spec
    return dict(sorted(specs.items()))


@dataclass
class Runtime:
    """What request handlers may reach: set on ``app.state.runtime`` for the app's lifetime."""

    settings: ServiceSettings
    pool: asyncpg.Pool
    kafka_admin: AIOKafkaAdminClient  # readiness: the broker answers
    relay: OutboxRelay
    schema: str
    connect: Connect  # a connection of its own on the schema (LISTEN for a background loop)


async def runtime(request: Request) -> Runtime:
    """FastAPI dependency: the running service's pool, Kafka and settings. A coroutine, as
    every dependency here is: FastAPI runs a plain function in its thread pool, a thread hop
    on every request."""
    value: Runtime | None = getattr(request.app.state, "runtime", None)
    if value is None:
        raise Problem(503, "starting", "Service is starting", "try again in a moment")
    return value


def _health_router() -> APIRouter:
    router = APIRouter(tags=["operations"], route_class=StrictJsonRoute)

    @router.get("/health/live", summary="The process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready", summary="Postgres and Kafka answer", responses={503: {}})
    async def ready(
        state: Annotated[Runtime, Depends(runtime)], response: Response
    ) -> dict[str, str]:
        timeout = state.settings.readiness_timeout_s
        checks = {
            "postgres": await _check(state.pool.fetchval("SELECT 1"), timeout),
            "kafka": await _check(state.kafka_admin.describe_cluster(), timeout),
        }
        if not all(value == "ok" for value in checks.values()):
            response.status_code = 503
        return checks

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _check(probe: Awaitable[object], limit_s: float) -> str:
    try:
        async with asyncio.timeout(limit_s):
            result = await probe
    except Exception as exc:
        return f"unavailable: {type(exc).__name__}"
    return "ok" if result is not False else "unavailable"


class _RequestTiming:
    """HTTP latency by method, route and status, as plain ASGI (no per-request task group)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            # The router stores the matched route in the (shared) scope.
            path = getattr(scope.get("route"), "path", "unmatched")
            HTTP_LATENCY.labels(scope["method"], path, str(status)).observe(
                time.perf_counter() - start
            )


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


def build_app(
    spec: ServiceSpec,
    settings: ServiceSettings,
    *,
    routers: Sequence[APIRouter] = (),
    version: str = "0.1.0",
    on_startup: Callable[[Runtime], Awaitable[None]] | None = None,
    on_shutdown: Callable[[Runtime], Awaitable[None]] | None = None,
) -> FastAPI:
    """``on_startup`` runs once the database, the broker and the relay are up (to start a
    service's own background work); ``on_shutdown`` first thing on the way down, while they
    still are (to stop that work)."""
    schema = settings.db_schema or spec.schema
    dsn = settings.database_url.get_secret_value()
    server_settings = {"search_path": schema, "application_name": spec.name}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(spec.name, settings.log_level)
        wait_s = settings.startup_wait_s
        if settings.migrate_on_start:
            await _once_reachable("postgres", lambda: migrate(dsn, schema, spec.migrations), wait_s)
        pool = await _once_reachable(
            "postgres",
            lambda: asyncpg.create_pool(
                dsn,
                min_size=settings.db_pool_min,
                max_size=settings.db_pool_max,
                server_settings=server_settings,
            ),
            wait_s,
        )
        producer = RenewingProducer(settings.kafka_bootstrap_servers, client_id=spec.name)
        consumer = EventConsumer(
            pool,
            producer,
            max_attempts=settings.consumer_max_attempts,
            retry_backoff_s=settings.consumer_retry_backoff_s,
        )
        groups: dict[str, list[Subscription]] = {}
        for subscription in spec.consumes:
            groups.setdefault(subscription.group, []).append(subscription)
        consumers = [
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
            )
            for subscriptions in groups.values()
        ]
        kafka_admin = AIOKafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers, client_id=spec.name
        )

        async def connect() -> asyncpg.Connection:
            conn: asyncpg.Connection = await asyncpg.connect(dsn, server_settings=server_settings)
            return conn

        relay = OutboxRelay(
            pool,
            producer,
            schema=schema,
            connect=connect,
            topic_prefix=settings.kafka_topic_prefix,
            batch_size=settings.relay_batch_size,
            poll_interval_s=settings.relay_poll_interval_s,
            retention_hours=settings.relay_retention_hours,
            linger_s=settings.relay_linger_s,
        )
        state = Runtime(
            settings=settings,
            pool=pool,
            kafka_admin=kafka_admin,
            relay=relay,
            schema=schema,
            connect=connect,
        )
        app.state.runtime = state
        try:
            # Also the proof that the broker answers before the subscribers start.
            await _once_reachable(
                "kafka",
                lambda: ensure_topics(
                    settings.kafka_bootstrap_servers,
                    dead_letter_topics(
                        ((s.topic, s.group) for s in spec.consumes), settings.kafka_topic_prefix
                    ),
                    replication=settings.kafka_replication_factor,
                ),
                wait_s,
            )
            await kafka_admin.start()
            for group in consumers:
                await group.start()
            await producer.start()
            await relay.start()
            if on_startup is not None:
                await on_startup(state)
            log.info("%s started", spec.name)
            yield
        finally:
            if on_shutdown is not None:
                await on_shutdown(state)
            await relay.stop()
            for group in consumers:
                await group.stop()
            await producer.stop()
            await kafka_admin.close()
            await pool.close()
            log.info("%s stopped", spec.name)

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
    app.add_middleware(_RequestTiming)
    app.include_router(_health_router())
    for router in routers:
        app.include_router(router)
    _require_strict_json(app)
    return app


def _require_strict_json(app: FastAPI) -> None:
    """Every endpoint reads its JSON body the strict way (json_bodies.py): a router made
    without ``route_class=StrictJsonRoute`` would let duplicate keys through unnoticed."""
    lax = [
        f"{context.path_format}"
        for context in iter_route_contexts(app.router.routes)
        if isinstance(context.original_route, APIRoute)
        and not isinstance(context.original_route, StrictJsonRoute)
    ]
    if lax:
        raise TypeError(f"routes not made with route_class=StrictJsonRoute: {', '.join(lax)}")
