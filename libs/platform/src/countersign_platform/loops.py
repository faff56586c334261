"""The background loops of a service (the outbox relay, the publication worker, step reminders):
one pass of work, again at once while there is more, otherwise a wait that ends at the first of

    a NOTIFY on the loop's channel ─┐  sent by a trigger when the transaction that gives the
    a wake-up from this process   ──┼─▶ loop work commits, so an instance wakes however many
    the fallback interval         ──┘  instances there are; the interval only catches up
                                       after a lost notification (a restart, a dropped LISTEN)

A wake-up that arrives while a pass runs is kept for the next wait, so no work waits for the
fallback interval because it committed a moment too early. A pass that fails is tried again
after a short pause — without a traceback when the database or the broker is away (a restart),
with one otherwise — so neither an outage nor a steady stream of wake-ups makes it spin.

    loop = BackgroundLoop("publication-worker", worker.run_pass, interval_s=30,
                          channel="publications_publisher", connect=connect)
    await loop.start() … loop.wake() … await loop.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from countersign_platform.outages import INFRASTRUCTURE_UNAVAILABLE, database_unavailable

__all__ = ["BackgroundLoop", "Connect", "Pass"]

log = logging.getLogger(__name__)

Pass = Callable[[], Awaitable[bool]]
"""One pass of a loop's work; True when there is more to do right away."""

Connect = Callable[[], Awaitable[asyncpg.Connection]]
"""Opens a connection of the loop's own: LISTEN needs one (a pooled connection is reset, and
its subscriptions dropped, when it goes back to the pool)."""

_FAILURE_PAUSE_S = 1.0


class BackgroundLoop:
    def __init__(
        self,
        name: str,
        work: Pass,
        *,
        interval_s: float,
        channel: str | None = None,
        connect: Connect | None = None,
    ) -> None:
        if (channel is None) != (connect is None):
            raise ValueError("a loop that listens needs both a channel and a way to connect")
        self.name = name
        self._work = work
        self._interval_s = interval_s
        self._channel = channel
        self._connect = connect
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._listen()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None

    def wake(self) -> None:
        """Runs a pass now (or right after the one running)."""
        self._wake.set()

    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._listener.is_closed()

    async def _run(self) -> None:
        while True:
            # Cleared before the pass: a wake-up during it starts the next one at once.
            self._wake.clear()
            try:
                more = await self._work()
            except Exception as exc:
                if database_unavailable(exc) or isinstance(exc, INFRASTRUCTURE_UNAVAILABLE):
                    # A server restarting: a traceback per try would bury the log.
                    log.warning("%s: unavailable (%s), retrying", self.name, type(exc).__name__)
                else:
                    log.exception("%s: pass failed, retrying", self.name)
                await asyncio.sleep(_FAILURE_PAUSE_S)
                continue
            if more:
                await asyncio.sleep(0)  # let the others run between passes
                continue
            if self._channel is not None and not self.listening:
                await self._listen()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)

    async def _listen(self) -> None:
        if self._channel is None or self._connect is None:
            return
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None
        try:
            conn = await self._connect()
            await conn.add_listener(self._channel, lambda *_: self._wake.set())
        except Exception as exc:
            # Only a hint: the fallback interval still finds every piece of work.
            log.warning("%s: LISTEN %s unavailable, polling only", self.name, self._channel)
            log.debug("LISTEN failure", exc_info=exc)
            return
        self._listener = conn
        # Whatever committed while nobody listened was announced to no one: look now.
        self._wake.set()
