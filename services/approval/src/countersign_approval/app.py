"""Composition root: the only place approval is wired together."""

from countersign_platform.loops import BackgroundLoop
from countersign_platform.service import Runtime, build_app
from fastapi import FastAPI

from countersign_approval.api import ROUTERS
from countersign_approval.handlers.reminders import reminder_loop
from countersign_approval.settings import ApprovalSettings
from countersign_approval.spec import SERVICE

__all__ = ["create_app"]


def create_app(settings: ApprovalSettings | None = None) -> FastAPI:
    config = settings or ApprovalSettings()
    loops: list[BackgroundLoop] = []

    async def start(runtime: Runtime) -> None:
        loops.append(reminder_loop(runtime.pool, config.reminder_interval_s))
        for loop in loops:
            await loop.start()

    async def stop(runtime: Runtime) -> None:
        for loop in loops:
            await loop.stop()

    return build_app(SERVICE, config, routers=ROUTERS, on_startup=start, on_shutdown=stop)
