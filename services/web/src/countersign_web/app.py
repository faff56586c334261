"""Composition root of the web app: settings, the approval client, the cookie keys, the mail
server, the OpenID Connect provider, the pages, and a health endpoint. No database, no Kafka:
everything it shows and does goes through the services' APIs (ADR 0048)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from countersign_platform.client_tls import client_tls
from countersign_platform.mail import outbox_from
from countersign_platform.oidc import OidcProvider
from countersign_platform.sealing import Keyring
from countersign_platform.tracing import carry_context, configure_tracing, shutdown_tracing
from countersign_platform.web import RequestTracing
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from countersign_web.approval import Approval
from countersign_web.calls import AsPerson, SessionEnded
from countersign_web.cookies import Cookies
from countersign_web.headers import SecurityHeaders
from countersign_web.ingest import Ingest
from countersign_web.pages import (
    actions,
    away,
    connections,
    finding,
    interventions,
    organisation_settings,
    people,
    requests,
    reviewing,
    sign_in,
    workflow,
)  # fmt: skip
from countersign_web.pages.administration import NotAdmin
from countersign_web.pages.rendering import FormRefused, NotSignedIn, Parts, page, see_other
from countersign_web.settings import WebSettings

__all__ = ["create_app"]

PAGES = (
    sign_in, requests, reviewing, finding, away, actions, connections, interventions, people,
    workflow, organisation_settings,
)  # fmt: skip


async def _clients(
    stack: contextlib.AsyncExitStack, config: WebSettings
) -> list[httpx.AsyncClient]:
    """Approval's, ingest's and the publisher's clients; their calls carry the page's trace
    context, so the services' spans join it (tracing on, ADR 0059)."""
    hooks = {"request": [carry_context]}
    return [
        await stack.enter_async_context(
            httpx.AsyncClient(base_url=url, timeout=timeout, event_hooks=hooks, verify=client_tls())
        )
        for url, timeout in (
            (config.approval_url, 10),
            (config.ingest_url, 30),
            (config.publisher_url, 30),
        )
    ]


def create_app(settings: WebSettings | None = None) -> FastAPI:
    config = settings or WebSettings()
    cookies = Cookies(
        Keyring.parse(config.cookie_keys.get_secret_value()), secure=config.secure_cookies
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if configure_tracing("web"):
                stack.callback(shutdown_tracing)
            http, ingest, publisher = await _clients(stack, config)
            oidc = None
            if config.oidc_issuer and config.oidc_client_id and config.oidc_client_secret:
                oidc = OidcProvider(config.oidc_issuer, config.oidc_client_id, http)
            approval = Approval(http, config.client_name, config.client_secret.get_secret_value())
            app.state.parts = Parts(
                config, approval, cookies, outbox_from(config), oidc, Ingest(ingest),
                AsPerson(publisher),
            )  # fmt: skip
            yield

    app = FastAPI(title="Countersign", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestTracing)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for pages in PAGES:
        app.include_router(pages.router)

    @app.exception_handler(NotSignedIn)
    @app.exception_handler(SessionEnded)
    async def to_sign_in(request: Request, exc: Exception) -> Response:
        response = see_other("/sign-in")
        cookies.clear(response)
        return response

    @app.exception_handler(FormRefused)
    async def refused(request: Request, exc: Exception) -> HTMLResponse:
        return page("refused.html", 403)

    @app.exception_handler(NotAdmin)
    async def not_admin(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, NotAdmin)
        return page("admins_only.html", 403, session=exc.session, cookies=cookies)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> JSONResponse:
        return JSONResponse({"status": "live"})

    @app.get("/health/ready", include_in_schema=False)
    async def ready(request: Request) -> JSONResponse:
        up = await request.app.state.parts.approval.reachable()
        return JSONResponse({"approval": "ok" if up else "unreachable"}, 200 if up else 503)

    return app
