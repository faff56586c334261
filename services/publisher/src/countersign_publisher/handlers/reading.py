"""A read of Xero run beside the loop that asks for it: in a task of its own, so a slow Xero
never holds up that loop; one at a time; asked for at most every ``every_s``; a crash logged,
never lost with the task. The master data sync and the change poll read this way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

__all__ = ["ReadAside"]

log = logging.getLogger(__name__)


class ReadAside:
    def __init__(self, name: str, read: Callable[[], Awaitable[int]], every_s: float) -> None:
        self._name = name
        self._read = read
        self._every_s = every_s
        self._next = 0.0
        self._task: asyncio.Task[int] | None = None

    def start_when_due(self) -> None:
        """Starts a read, unless one still runs or the last started under ``every_s`` ago."""
        if self._task is not None and not self._task.done():
            return
        if time.monotonic() < self._next:
            return
        self._next = time.monotonic() + self._every_s
        self._task = asyncio.create_task(self._guarded(), name=self._name)

    async def _guarded(self) -> int:
        try:
            return await self._read()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s crashed", self._name)
            return 0

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
