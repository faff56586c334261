"""Composition root: the only place approval is wired together."""

import contextlib
from collections.abc import AsyncIterator

from countersign_platform.access import SigningKeys
from countersign_platform.runtime import Runtime
from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_approval.api import ROUTERS
from countersign_approval.components import Components
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


def create_app(settings: ApprovalSettings | None = None) -> FastAPI:
    config = settings or ApprovalSettings()
    keys = signing_keys(config)

    @contextlib.asynccontextmanager
    async def parts(runtime: Runtime[None]) -> AsyncIterator[Components]:
        reminders = reminder_loop(runtime.pool, config.reminder_interval_s)
        await reminders.start()
        try:
            yield Components(reminders, keys, config.access_token_ttl_s)
        finally:
            await reminders.stop()

    return build_app(SERVICE, config, routers=ROUTERS, parts=parts, signing_keys=keys)
