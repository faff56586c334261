"""Xero's rate limits per tenant (calls in flight, per minute, per day) and per app (per
minute, across tenants), with the remaining-call headers Xero sends on every answer.

The minute windows slide over the last 60 sandbox seconds; the day window is fixed and starts
at the tenant's first call. Refused calls are not counted.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field

from countersign_xero_sandbox.clock import SandboxClock

__all__ = ["Admission", "LimitConfig", "RateLimiter"]

MINUTE_S = 60.0
DAY_S = 86400.0


@dataclass
class LimitConfig:
    enabled: bool = True
    minute: int = 60
    day: int = 5000
    concurrent: int = 5
    app_minute: int = 10000


@dataclass
class Admission:
    problem: str | None
    retry_after: int | None
    headers: dict[str, str]


@dataclass
class _TenantWindow:
    minute: deque[float] = field(default_factory=deque)
    day_start: float | None = None
    day_count: int = 0
    in_flight: int = 0


class RateLimiter:
    def __init__(self, clock: SandboxClock, config: LimitConfig) -> None:
        self.clock = clock
        self.config = config
        self._tenants: dict[str, _TenantWindow] = {}
        self._apps: dict[str, deque[float]] = {}
        self.refused: Counter[str] = Counter()
        self.max_in_flight = 0

    def _slide(self, window: deque[float], now: float) -> None:
        while window and window[0] <= now - MINUTE_S:
            window.popleft()

    def admit(self, tenant_id: str, client_id: str) -> Admission:
        now = self.clock.seconds()
        tenant = self._tenants.setdefault(tenant_id, _TenantWindow())
        app = self._apps.setdefault(client_id, deque())
        self._slide(tenant.minute, now)
        self._slide(app, now)
        if tenant.day_start is None or now - tenant.day_start >= DAY_S:
            tenant.day_start, tenant.day_count = now, 0
        limits = self.config
        problem: str | None = None
        retry: float | None = None
        if tenant.in_flight >= limits.concurrent:
            problem = "concurrent"
        elif tenant.day_count >= limits.day:
            problem, retry = "day", tenant.day_start + DAY_S - now
        elif len(tenant.minute) >= limits.minute:
            problem, retry = "minute", tenant.minute[0] + MINUTE_S - now
        elif len(app) >= limits.app_minute:
            problem, retry = "appminute", app[0] + MINUTE_S - now
        if problem is not None and limits.enabled:
            self.refused[problem] += 1
            return Admission(
                problem,
                max(1, math.ceil(retry)) if retry is not None else None,
                self._headers(tenant, app),
            )
        tenant.minute.append(now)
        app.append(now)
        tenant.day_count += 1
        tenant.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, tenant.in_flight)
        return Admission(None, None, self._headers(tenant, app))

    def release(self, tenant_id: str) -> None:
        self._tenants[tenant_id].in_flight -= 1

    def _headers(self, tenant: _TenantWindow, app: deque[float]) -> dict[str, str]:
        limits = self.config
        return {
            "X-MinLimit-Remaining": str(max(0, limits.minute - len(tenant.minute))),
            "X-DayLimit-Remaining": str(max(0, limits.day - tenant.day_count)),
            "X-AppMinLimit-Remaining": str(max(0, limits.app_minute - len(app))),
        }
