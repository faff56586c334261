"""What every service's HTTP side has besides its own routes: liveness, readiness (Postgres and
Kafka answer) and Prometheus metrics, request timing and tracing, and the check that every route
reads its JSON body the strict way."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.routing import APIRoute, iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.runtime import Runtime, runtime
from countersign_platform.telemetry import HTTP_LATENCY
from countersign_platform.tracing import SpanKind, context_of, span, tracing_on

__all__ = ["RequestTiming", "RequestTracing", "health_router", "require_strict_json"]

# Probes and scrapes every few seconds, and the web app's static files: no trace of their own.
_UNTRACED_PREFIXES = ("/health/", "/metrics", "/static/")


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"], route_class=StrictJsonRoute)

    @router.get("/health/live", summary="The process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready", summary="Postgres and Kafka answer", responses={503: {}})
    async def ready(
        state: Annotated[Runtime[Any], Depends(runtime)], response: Response
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


class RequestTiming:
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


class RequestTracing:
    """A server span per request, continuing the caller's ``traceparent`` (tracing.py). Its
    name and ``http.route`` are the route's template, never the path: a path or query may hold
    a signed link or a name."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not tracing_on()
            or scope["path"].startswith(_UNTRACED_PREFIXES)
        ):
            await self._app(scope, receive, send)
            return
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in (b"traceparent", b"tracestate")
        }
        method = scope["method"]
        with span(
            method,
            kind=SpanKind.SERVER,
            parent=context_of(headers),
            attributes={"http.request.method": method, "url.scheme": scope.get("scheme")},
        ) as server:

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    server.set_attribute("http.response.status_code", message["status"])
                    if message["status"] >= 500:
                        server.set_attribute("error.type", str(message["status"]))
                await send(message)

            try:
                await self._app(scope, receive, sending)
            finally:
                route = getattr(scope.get("route"), "path", None)
                if route is not None:
                    server.update_name(f"{method} {route}")
                    server.set_attribute("http.route", route)


def require_strict_json(app: FastAPI) -> None:
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
