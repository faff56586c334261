"""Intuit's throttles per realm: requests per minute, requests in flight, and batch requests
per minute (sliding windows over the last 60 sandbox seconds). Refused calls are not counted."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

from countersign_xero_sandbox.clock import SandboxClock

__all__ = ["LimitConfig", "RateLimiter"]

MINUTE_S = 60.0


@dataclass
class LimitConfig:
    enabled: bool = True
    minute: int = 500
    concurrent: int = 10
    batch_minute: int = 40
    batch_items: int = 30


@dataclass
class _RealmWindow:
    minute: deque[float] = field(default_factory=deque)
    batch: deque[float] = field(default_factory=deque)
    in_flight: int = 0


class RateLimiter:
    def __init__(self, clock: SandboxClock, config: LimitConfig) -> None:
        self.clock = clock
        self.config = config
        self._realms: dict[str, _RealmWindow] = {}
        self.refused: Counter[str] = Counter()

    @staticmethod
    def _slide(window: deque[float], now: float) -> None:
        while window and window[0] <= now - MINUTE_S:
            window.popleft()

    def admit(self, realm_id: str, batch: bool) -> str | None:
        """None when the call may go ahead (then ``release`` it), else the limit it broke."""
        now = self.clock.seconds()
        realm = self._realms.setdefault(realm_id, _RealmWindow())
        self._slide(realm.minute, now)
        self._slide(realm.batch, now)
        limits = self.config
        problem: str | None = None
        if realm.in_flight >= limits.concurrent:
            problem = "concurrent"
        elif len(realm.minute) >= limits.minute:
            problem = "minute"
        elif batch and len(realm.batch) >= limits.batch_minute:
            problem = "batch_minute"
        if problem is not None and limits.enabled:
            self.refused[problem] += 1
            return problem
        realm.minute.append(now)
        if batch:
            realm.batch.append(now)
        realm.in_flight += 1
        return None

    def in_flight(self) -> dict[str, int]:
        """Calls admitted and not answered yet, per realm (those with any)."""
        return {k: w.in_flight for k, w in self._realms.items() if w.in_flight}

    def release(self, realm_id: str) -> None:
        self._realms[realm_id].in_flight -= 1
