"""Waiting for an asynchronous effect with a deadline (never a fixed sleep)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["eventually"]

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    until: Callable[[T], bool],
    timeout_s: float = 30.0,
    interval_s: float = 0.1,
) -> T:
    """Calls ``probe`` until ``until(result)`` holds; returns the last result either way."""
    deadline = time.monotonic() + timeout_s
    result = await probe()
    while not until(result) and time.monotonic() < deadline:
        await asyncio.sleep(interval_s)
        result = await probe()
    return result
