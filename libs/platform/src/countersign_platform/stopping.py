"""Stopping a service's parts in bounded time.

A part that does not stop (a consumer whose group leave waits on a slow broker, a connection
some task never gave back to the pool) must not keep the whole service from stopping: the
orchestrator would kill it at its grace period anyway, after the other parts had no chance to
stop cleanly. Each part gets ``STOP_WAIT_S``; one that overruns is named in a warning and left
(the pool's connections are then closed by force), and the next part stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg

__all__ = ["STOP_WAIT_S", "bounded", "close_pool"]

log = logging.getLogger(__name__)

STOP_WAIT_S = 15.0


def bounded(what: str, stop: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
    """``stop``, given ``STOP_WAIT_S`` at most; an overrun is logged, naming ``what``."""

    async def stopping() -> None:
        try:
            await asyncio.wait_for(stop(), STOP_WAIT_S)
        except TimeoutError:
            log.warning("%s did not stop within %.0f s; going on without it", what, STOP_WAIT_S)

    return stopping


async def close_pool(pool: asyncpg.Pool) -> None:
    """Closes the pool once its connections are back; those not back after ``STOP_WAIT_S``
    are closed by force, and the warning says so."""
    try:
        await asyncio.wait_for(pool.close(), STOP_WAIT_S)
    except TimeoutError:
        log.warning(
            "database connections still in use %.0f s into stopping; closing them", STOP_WAIT_S
        )
        pool.terminate()
