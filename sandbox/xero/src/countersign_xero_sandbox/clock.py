"""Sandbox time: runs ``scale`` times faster than real time, and can be pushed forward.

Rate windows, token lifetimes, the idempotency memory and document dates all read this clock,
so a test at scale 60 lives through a Xero minute in one real second.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta

__all__ = ["SandboxClock"]


class SandboxClock:
    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.scale = scale
        self._real_start = time.time()
        self._mono_start = time.monotonic()
        self._offset_s = 0.0

    def seconds(self) -> float:
        """Sandbox time as a Unix timestamp."""
        elapsed = time.monotonic() - self._mono_start
        return self._real_start + elapsed * self.scale + self._offset_s

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.seconds(), UTC)

    def today(self) -> date:
        return self.now().date()

    def advance(self, sandbox_seconds: float) -> None:
        self._offset_s += sandbox_seconds

    def real_seconds(self, sandbox_seconds: float) -> float:
        return sandbox_seconds / self.scale

    def real_deadline(self, sandbox_deadline: float) -> float:
        """The real Unix time at which the sandbox clock reaches ``sandbox_deadline``."""
        return time.time() + (sandbox_deadline - self.seconds()) / self.scale

    async def sleep(self, sandbox_seconds: float) -> None:
        await asyncio.sleep(max(0.0, sandbox_seconds / self.scale))

    @staticmethod
    def start_of(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    @staticmethod
    def plus(moment: datetime, seconds: float) -> datetime:
        return moment + timedelta(seconds=seconds)
