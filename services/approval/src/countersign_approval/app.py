"""Composition root: the only place approval is wired together."""

from countersign_platform.service import Runtime, build_app
from fastapi import FastAPI

from countersign_approval.api import ROUTERS
from countersign_approval.handlers.reminders import Reminders
from countersign_approval.settings import ApprovalSettings
from countersign_approval.spec import SERVICE

__all__ = ["create_app"]


def create_app(settings: ApprovalSettings | None = None) -> FastAPI:
    config = settings or ApprovalSettings()
    reminders = Reminders(config.reminder_interval_s)

    async def start(runtime: Runtime) -> None:
        reminders.start(runtime.pool)

    async def stop(runtime: Runtime) -> None:
        await reminders.stop()

    return build_app(SERVICE, config, routers=ROUTERS, on_startup=start, on_shutdown=stop)
