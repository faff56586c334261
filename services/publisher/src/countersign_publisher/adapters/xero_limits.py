"""Keeps every organisation inside Xero's limits, and the whole app inside its own.

    call(org) ─▶ concurrency slot (5 per org) ─▶ org minute window (60) and day budget
              [─▶ org batch window, for a batch call when the ledger has one (QBO: 40)]
              ─▶ app minute window (10,000, granted round-robin across organisations) ─▶ send

A call occupies its minute-window place from the moment it is sent until the response is in;
the window then counts it from the response, so however long Xero took to receive it, Xero's
own window can never see more calls than ours. ``X-MinLimit-Remaining`` / ``X-DayLimit-Remaining``
of 0 and a 429's ``Retry-After`` pause the organisation until its window has room again (a 429
without one pauses it ``pause_on_429_s``: QBO asks for 60 s and sends no header).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

__all__ = ["CallScheduler", "Limits"]


@dataclass(frozen=True)
class Limits:
    per_minute: int = 60
    concurrent: int = 5
    per_day: int = 5000
    app_per_minute: int = 10_000
    minute_s: float = 60.0
    batch_per_minute: int = 0
    """Batch calls per minute (QBO: 40), counted beside ``per_minute``; 0: no batch budget."""
    pause_on_429_s: float = 1.0
    """The ledger's seconds a 429 without ``Retry-After`` pauses the organisation (QBO: 60)."""

    @property
    def day_s(self) -> float:
        return self.minute_s * 60 * 24


@dataclass
class _OrgBudget:
    limits: Limits
    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    window: deque[float] = field(default_factory=deque)  # when each recent call ended (or began)
    batches: deque[float] = field(default_factory=deque)  # the same, of batch calls only
    day_started: float = field(default_factory=time.monotonic)
    day_used: int = 0
    paused_until: float = 0.0

    def wait_needed(self, now: float, batch: bool = False) -> float:
        for window in (self.window, self.batches):
            while window and window[0] + self.limits.minute_s <= now:
                window.popleft()
        if now - self.day_started >= self.limits.day_s:
            self.day_started, self.day_used = now, 0
        until = self.paused_until
        if len(self.window) >= self.limits.per_minute:
            until = max(until, self.window[0] + self.limits.minute_s)
        if self.day_used >= self.limits.per_day:
            until = max(until, self.day_started + self.limits.day_s)
        if batch and 0 < self.limits.batch_per_minute <= len(self.batches):
            until = max(until, self.batches[0] + self.limits.minute_s)
        return max(0.0, until - now)


class _AppWindow:
    """The app-wide minute window; when it is full, waiting organisations take turns."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._window: deque[float] = deque()
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {}
        self._dispatcher: asyncio.Task[None] | None = None

    paused_until = 0.0  # set when Xero says the app's minute is spent (other instances)

    def _room(self, now: float) -> float:
        while self._window and self._window[0] + self._limits.minute_s <= now:
            self._window.popleft()
        paused = max(0.0, self.paused_until - now)
        if len(self._window) < self._limits.app_per_minute:
            return paused
        return max(paused, self._window[0] + self._limits.minute_s - now)

    async def enter(self, org: str) -> None:
        if not self._waiting and self._room(time.monotonic()) == 0.0:
            self._window.append(time.monotonic())
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(org, deque()).append(future)
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch())
        await future

    async def _dispatch(self) -> None:
        while self._waiting:
            delay = self._room(time.monotonic())
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            org = next(iter(self._waiting))  # oldest turn first, then to the back of the line
            queue = self._waiting.pop(org)
            future = queue.popleft()
            if queue:
                self._waiting[org] = queue
            if not future.done():
                self._window.append(time.monotonic())
                future.set_result(None)


class CallScheduler:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._orgs: dict[str, _OrgBudget] = {}
        self._app = _AppWindow(limits)
        self.rate_limited = 0  # 429s seen: should stay 0

    def _budget(self, org: str) -> _OrgBudget:
        budget = self._orgs.get(org)
        if budget is None:
            budget = _OrgBudget(self.limits, asyncio.Semaphore(self.limits.concurrent))
            self._orgs[org] = budget
        return budget

    def held_back(self, org: str) -> bool:
        """True while the organisation's calls must wait for its minute or day to have room
        (or a pause Xero asked for to end): its work is waiting on Xero, not on this instance."""
        budget = self._orgs.get(org)
        return budget is not None and budget.wait_needed(time.monotonic()) > 0

    @contextlib.asynccontextmanager
    async def call(self, org: str, *, batch: bool = False) -> AsyncIterator[None]:
        budget = self._budget(org)
        async with budget.slots:
            async with budget.lock:
                await _wait_for_room(budget, batch)
                budget.window.append(time.monotonic())
                budget.day_used += 1
                if batch:
                    budget.batches.append(budget.window[-1])
            sent_at = budget.window[-1]
            await self._app.enter(org)
            try:
                yield
            finally:
                ended_at = time.monotonic()
                _restamp(budget.window, sent_at, ended_at)
                if batch:
                    _restamp(budget.batches, sent_at, ended_at)

    def observe(self, org: str, status: int, headers: Mapping[str, str]) -> None:
        """Reads Xero's view of the budget from a response."""
        budget = self._budget(org)
        now = time.monotonic()
        if status == 429:
            self.rate_limited += 1
            # Retry-After counts Xero seconds; a time-scaled sandbox's minute is ``minute_s``.
            asked = _seconds(headers, "retry-after", default=self.limits.pause_on_429_s)
            wait = asked * self.limits.minute_s / 60
            budget.paused_until = max(budget.paused_until, now + wait)
        own_window_full = len(budget.window) >= self.limits.per_minute
        if _seconds(headers, "x-minlimit-remaining", default=1) <= 0 and not own_window_full:
            # Someone else is spending this organisation's minute too: wait a whole one.
            budget.paused_until = max(budget.paused_until, now + self.limits.minute_s)
        if _seconds(headers, "x-appminlimit-remaining", default=1) <= 0:
            self._app.paused_until = max(self._app.paused_until, now + self.limits.minute_s)
        if _seconds(headers, "x-daylimit-remaining", default=1) <= 0:
            budget.day_used = self.limits.per_day


async def _wait_for_room(budget: _OrgBudget, batch: bool = False) -> None:
    # The window only empties with time, so sleeping until the computed instant is exact.
    delay = budget.wait_needed(time.monotonic(), batch)
    while delay > 0:
        await asyncio.sleep(delay)
        delay = budget.wait_needed(time.monotonic(), batch)


def _restamp(window: deque[float], sent_at: float, ended_at: float) -> None:
    # The call's place moves from its send time to its end time; the window stays sorted
    # because places are only ever moved later and re-inserted in order.
    with contextlib.suppress(ValueError):
        window.remove(sent_at)
    index = len(window)
    while index > 0 and window[index - 1] > ended_at:
        index -= 1
    window.insert(index, ended_at)


def _seconds(headers: Mapping[str, str], name: str, default: float = 0.0) -> float:
    try:
        return float(headers.get(name, default))
    except (TypeError, ValueError):
        return default
