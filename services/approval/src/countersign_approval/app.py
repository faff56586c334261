"""Composition root: the only place approval is wired together."""

import contextlib
from collections.abc import AsyncIterator

import httpx
from countersign_platform.access import SigningKeys
from countersign_platform.client_tls import client_tls
from countersign_platform.oidc import OidcProvider
from countersign_platform.runtime import Runtime
from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_approval.api import ROUTERS
from countersign_approval.components import Components
from countersign_approval.domain.sign_in import Clients, SignInPolicy
from countersign_approval.domain.workflow_hours import set_workflow_hour
from countersign_approval.handlers.reminders import reminder_loop
from countersign_approval.settings import ApprovalSettings
from countersign_approval.spec import SERVICE

__all__ = ["create_app"]


def signing_keys(settings: ApprovalSettings) -> SigningKeys | None:
    """The keys that sign access tokens; a malformed setting stops the service from starting."""
    if settings.signing_keys is None:
        return None
    return SigningKeys.parse(
        settings.signing_keys.get_secret_value(),
        issuer=settings.access_issuer,
        audience=settings.access_audience,
    )


def sign_in_policy(settings: ApprovalSettings) -> SignInPolicy:
    """Who may sign people in, and for how long; a malformed setting stops the start."""
    spec = settings.clients.get_secret_value() if settings.clients is not None else ""
    return SignInPolicy(
        clients=Clients.parse(spec),
        code_ttl_s=settings.sign_in_code_ttl_s,
        links_per_window=settings.sign_in_links_per_window,
        idle_s=settings.session_idle_s,
        max_s=settings.session_max_s,
    )


def create_app(settings: ApprovalSettings | None = None) -> FastAPI:
    config = settings or ApprovalSettings()
    set_workflow_hour(config.workflow_hour_s)
    keys = signing_keys(config)
    policy = sign_in_policy(config)

    @contextlib.asynccontextmanager
    async def parts(runtime: Runtime[None]) -> AsyncIterator[Components]:
        reminders = reminder_loop(runtime.pool, config.reminder_interval_s)
        await reminders.start()
        async with httpx.AsyncClient(timeout=10, verify=client_tls()) as http:
            oidc = None
            if config.oidc_issuer and config.oidc_client_id:
                oidc = OidcProvider(config.oidc_issuer, config.oidc_client_id, http)
            try:
                yield Components(reminders, keys, config.access_token_ttl_s, policy, oidc)
            finally:
                await reminders.stop()

    return build_app(SERVICE, config, routers=ROUTERS, parts=parts, signing_keys=keys)
