"""Composition root: the only place approval is wired together."""

import contextlib
from collections.abc import AsyncIterator

from countersign_platform.loops import BackgroundLoop
from countersign_platform.runtime import Runtime
from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_approval.api import ROUTERS
from countersign_approval.handlers.reminders import reminder_loop
from countersign_approval.settings import ApprovalSettings
from countersign_approval.spec import SERVICE

__all__ = ["create_app"]


def create_app(settings: ApprovalSettings | None = None) -> FastAPI:
    config = settings or ApprovalSettings()

    @contextlib.asynccontextmanager
    async def parts(runtime: Runtime[None]) -> AsyncIterator[BackgroundLoop]:
        reminders = reminder_loop(runtime.pool, config.reminder_interval_s)
        await reminders.start()
        try:
            yield reminders
        finally:
            await reminders.stop()

    return build_app(SERVICE, config, routers=ROUTERS, parts=parts)
